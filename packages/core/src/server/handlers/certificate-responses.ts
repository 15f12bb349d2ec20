import { decodeBase64, isCmpError, oids, type CertifiedKeyPair, type CertResponse } from '@cmpkit/codec';
import { encryptCertificate, envelopePrivateKey, ML_KEM_OIDS, parseCertificate, type CmsRecipient } from '@cmpkit/protection';
import type { TransactionRecord } from '../stores.js';
import { RequestRejectedError } from '../../errors/request-rejected-error.js';
import type { HandlerInput } from '../handler-input.js';

/** A CertResponse refusing one request: a CmpError's bits and text, else systemFailure (logged). */
export function rejection(certReqId: number, error: unknown, input: HandlerInput): CertResponse {
  if (!isCmpError(error)) {
    input.ctx.runtime.logger.error('cmp: issuer failed', {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  return {
    certReqId,
    status: isCmpError(error)
      ? { status: 2, failInfo: error.failInfo.length ? [...error.failInfo] : ['badRequest'], statusString: [error.message] }
      : { status: 2, failInfo: ['systemFailure'], statusString: ['internal error'] },
  };
}

/**
 * The recipient of a centrally generated key (RFC 9483 section 4.1.6): the requester's shared
 * secret (also when responses are signed, `macResponses: 'signature'`), or the requester's
 * certificate (the signer's, or the ML-KEM certificate of a KEM-based MAC requester:
 * KEMRecipientInfo), whose keyUsage, when present, must allow keyEncipherment (RSA key transport,
 * ML-KEM) or keyAgreement (EC key agreement).
 *
 * @throws RequestRejectedError notAuthorized (no usable secret or certificate), badAlg (a
 *   certificate key that can neither transport, agree nor encapsulate a key).
 */
export async function keyRecipient(input: HandlerInput): Promise<CmsRecipient> {
  const { auth } = input;
  if (auth.response.kind === 'mac') {
    const secret = auth.response.credential.secret;
    return { type: 'pwri', password: secret };
  }
  if (auth.requester.kind === 'mac') {
    const secret = auth.secret;
    if (secret === undefined)
      throw new RequestRejectedError('notAuthorized', 'central key generation needs the shared secret of the requester');
    return { type: 'pwri', password: secret };
  }
  if (auth.requester.kind === 'signature' || auth.requester.kind === 'kem') {
    const recipient = recipientFor(auth.requester.certificate);
    if (!recipient)
      throw new RequestRejectedError('badAlg', 'central key generation needs an RSA, EC or ML-KEM certificate to encrypt the key to');
    const usage = recipient.type === 'kari' ? 'keyAgreement' : 'keyEncipherment';
    const keyUsage = parseCertificate(auth.requester.certificate).keyUsage;
    if (keyUsage && !keyUsage.includes(usage)) {
      throw new RequestRejectedError(
        'notAuthorized',
        `central key generation: the requester's certificate lacks keyUsage ${usage}, so the key cannot be delivered to it`,
      );
    }
    return recipient;
  }
  throw new RequestRejectedError('notAuthorized', 'central key generation needs an authenticated requester');
}

/**
 * The recipient of an EnvelopedData for the key of `certificate`: KEMRecipientInfo for ML-KEM,
 * key transport for RSA, key agreement for EC (RFC 9810 section 5.2.2).
 */
function recipientFor(certificate: Uint8Array): CmsRecipient | undefined {
  const algorithm = parseCertificate(certificate).subjectPublicKeyInfo.algorithm.algorithm;
  if (algorithm === oids.rsaEncryption) return { type: 'ktri', certificate };
  if (algorithm === oids.id_ecPublicKey) return { type: 'kari', certificate };
  if (Object.values(ML_KEM_OIDS).includes(algorithm)) return { type: 'kemri', certificate };
  return undefined;
}

/**
 * The new certificate encrypted for its own key (indirect POP, RFC 9810 section 5.2.8.3.2): only
 * the holder of the private key can read it, and its certHash in certConf proves possession.
 * When that fails the certificate cannot be delivered, so the issuer is told it was rejected.
 */
export async function encryptIssued(input: HandlerInput, certificate: Uint8Array): Promise<Uint8Array> {
  try {
    const recipient = recipientFor(certificate);
    if (!recipient) throw new RequestRejectedError('badPOP', 'indirect POP needs an ML-KEM, RSA or EC key to encrypt the certificate to');
    return (await encryptCertificate(certificate, { crypto: input.ctx.runtime.crypto, recipient })).value.der;
  } catch (error) {
    await input.ctx.init.issuer.confirm(certificate, false, 'the encrypted certificate could not be built');
    throw error;
  }
}

/** The CertifiedKeyPair of a recorded certificate: plain, or encrypted (encrCert), with its central key. */
export function certifiedKeyPairOf(entry: TransactionRecord['certificates'][number]): CertifiedKeyPair {
  const certOrEncCert: CertifiedKeyPair['certOrEncCert'] = entry.encryptedCert
    ? { type: 'encryptedCert', value: { type: 'envelopedData', value: { der: decodeBase64(entry.encryptedCert) } } }
    : { type: 'certificate', value: { der: decodeBase64(entry.certificate) } };
  return {
    certOrEncCert,
    ...(entry.envelopedKey ? { privateKey: { type: 'envelopedData', value: { der: decodeBase64(entry.envelopedKey) } } } : {}),
  };
}

/**
 * Envelopes a centrally generated private key for the requester, signed by the server (RFC 9483
 * 4.1.6). When that fails the certificate cannot be delivered: the issuer is told it was rejected
 * (so it is revoked) before the error goes on.
 */
export async function envelopeIssued(input: HandlerInput, pkcs8: Uint8Array, certificate: Uint8Array): Promise<Uint8Array> {
  try {
    const signer = input.ctx.init.protection.signer;
    if (!signer) throw new RequestRejectedError('systemUnavail', 'central key generation is not available: the server has no signing key');
    const enveloped = await envelopePrivateKey(pkcs8, {
      crypto: input.ctx.runtime.crypto,
      keyDeriver: input.ctx.keyDeriver,
      recipient: await keyRecipient(input),
      signer: { privateKey: signer.privateKey, certificate: signer.certificate, ...(signer.chain ? { chain: signer.chain } : {}) },
    });
    return enveloped.value.der;
  } catch (error) {
    await input.ctx.init.issuer.confirm(certificate, false, 'the centrally generated key could not be delivered');
    throw error;
  }
}
