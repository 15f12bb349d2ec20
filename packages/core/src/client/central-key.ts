import { oids, type EncryptedKey } from '@cmpkit/codec';
import {
  importPrivateKey,
  openEnvelopedPrivateKey,
  parseCertificate,
  verifyCertificatePath,
  type CmsDecryptionKey,
  type VerifiedSender,
} from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { bytesEqual } from '../message/bytes.js';
import type { ClientContext } from './client-context.js';

/** What a centrally generated key is checked against. */
export interface CentralKeyContext {
  /** The new certificate the key belongs to (DER). */
  certificate: Uint8Array;
  decryptionKey: CmsDecryptionKey;
  /** Trust anchors for the KGA's certificate (see `anchorsFor`). */
  anchors: readonly Uint8Array[];
  /** Further certificates for the KGA's path (extraCerts, caPubs, configured untrusted ones). */
  untrusted: readonly Uint8Array[];
  /** Who protected the response that carried the key. */
  verified: VerifiedSender | undefined;
}

const PUBLIC_JWK_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

/** True when `pkcs8` is the private key of the certificate's public key. */
async function keyMatchesCertificate(ctx: ClientContext, pkcs8: Uint8Array, certificate: Uint8Array): Promise<boolean> {
  const { subtle } = ctx.runtime.crypto;
  const privateKey = await importPrivateKey(pkcs8, { crypto: ctx.runtime.crypto, extractable: true });
  const spki = parseCertificate(certificate).subjectPublicKeyInfoDer;
  if (privateKey.algorithm.name.toUpperCase().startsWith('ML-DSA')) {
    // No JWK for ML-DSA in every provider: a signature with the private key must verify with the certificate's key.
    const probe = new TextEncoder().encode('cmpkit central key check');
    const publicKey = await subtle.importKey('spki', spki.slice(), privateKey.algorithm, true, ['verify']);
    return subtle.verify(privateKey.algorithm, publicKey, await subtle.sign(privateKey.algorithm, privateKey, probe), probe);
  }
  const publicKey = await subtle.importKey('spki', spki.slice(), privateKey.algorithm, true, ['verify']);
  const [ours, theirs] = await Promise.all([subtle.exportKey('jwk', privateKey), subtle.exportKey('jwk', publicKey)]);
  return PUBLIC_JWK_MEMBERS.every((member) => ours[member] === theirs[member]);
}

/**
 * Opens and checks a centrally generated private key (RFC 9483 section 4.1.6): decrypts the
 * EnvelopedData, verifies the SignedData, checks that the signer (the KGA) has a path to the
 * anchors and is authorised (its certificate carries id-kp-cmKGA, or it is the certificate that
 * protected the response), and that the key belongs to the new certificate.
 *
 * @returns the private key as PKCS#8 DER.
 * @throws ProtectionError when the envelope cannot be opened or the KGA is not trusted,
 *   ProtocolError when the key is of the deprecated unsigned form or does not match.
 */
export async function openCentralKey(ctx: ClientContext, encryptedKey: EncryptedKey, check: CentralKeyContext): Promise<Uint8Array> {
  const crypto = ctx.runtime.crypto;
  const opened = await openEnvelopedPrivateKey(encryptedKey, {
    crypto,
    key: check.decryptionKey,
    extraCertificates: check.untrusted,
  });
  if (opened.form !== 'envelopedData') {
    throw new ProtocolError('badDataFormat', 'the private key came as an EncryptedValue, which carries no KGA signature');
  }
  if (check.anchors.length === 0) {
    throw new ProtocolError('signerNotTrusted', 'no trust anchors to check the key generation authority with');
  }
  const signer = opened.signerCertificate;
  const protectedBySigner = check.verified?.type === 'signature' && bytesEqual(check.verified.certificate, signer);
  await verifyCertificatePath(signer, {
    anchors: check.anchors,
    untrusted: [...opened.signerChain, ...check.untrusted],
    at: ctx.runtime.clock(),
    crypto,
    requiredKeyUsage: ['digitalSignature'],
    ...(protectedBySigner ? {} : { requiredExtendedKeyUsage: [oids.id_kp_cmKGA] }),
    ...(ctx.init.algorithms ? { algorithms: ctx.init.algorithms } : {}),
    ...(ctx.init.allowSha1 ? { allowSha1: true } : {}),
  });
  if (!(await keyMatchesCertificate(ctx, opened.privateKeyPkcs8, check.certificate))) {
    throw new ProtocolError('badCertTemplate', 'the centrally generated private key does not belong to the new certificate');
  }
  return opened.privateKeyPkcs8;
}
