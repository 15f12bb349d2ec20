import { BasicConstraints, KeyUsage, KeyUsageFlags } from '@peculiar/asn1-x509';
import { decodeSubjectPublicKeyInfo, oids, parseName, type Name } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import { derOf, extension, nameDer } from '../internal/asn.js';
import { buildCertificate } from '../internal/build-certificate.js';
import { tlv } from '../internal/der.js';
import { addDays, clockOf, cryptoOf, wholeSeconds } from '../internal/environment.js';
import { keyIdentifier } from '../internal/key-identifier.js';
import { checkSerialNumber, randomSerialNumber } from '../internal/serial-number.js';
import { signerFor } from '../internal/signer.js';
import type { KeyIdentifierMethod } from '../key-identifier-method.js';
import { caKeyPair, type CaKeyOptions, type GeneratedCa } from './generated-ca.js';

/** Input of {@link createSelfSignedCa}. */
export interface SelfSignedCaOptions extends CaKeyOptions {
  /** The CA's name, as a Name or in OpenSSL's form `/C=DE/O=Example/CN=Root CA`. */
  subject: Name | string;
  /** Lifetime in days. Default: 3650. */
  validityDays?: number;
  /** basicConstraints pathLenConstraint. Default: none (unlimited). */
  pathLenConstraint?: number;
  /** notBefore lies this many seconds before the clock's time. Default: 60. */
  backdateSeconds?: number;
  /** Serial number. Default: 128 random bits. */
  serialNumber?: bigint;
  /** How the key identifier is computed. Default: `'sha1'`. */
  keyIdentifierMethod?: KeyIdentifierMethod;
  /** The WebCrypto implementation to use. Default: `globalThis.crypto`. */
  crypto?: Crypto;
  /** The time source. Default: the system clock. */
  clock?: () => Date;
}

/** A Name from a Name or its OpenSSL text form. @internal */
export function nameOf(subject: Name | string): Name {
  return typeof subject === 'string' ? parseName(subject) : subject;
}

/** The extensions of a CA certificate: basicConstraints, keyUsage, and both key identifiers. @internal */
export function caExtensions(ski: Uint8Array, aki: Uint8Array, pathLenConstraint?: number) {
  return [
    extension(
      oids.id_ce_basicConstraints,
      true,
      derOf(new BasicConstraints({ cA: true, ...(pathLenConstraint === undefined ? {} : { pathLenConstraint }) })),
    ),
    extension(
      oids.id_ce_keyUsage,
      true,
      derOf(new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
    ),
    extension(oids.id_ce_subjectKeyIdentifier, false, tlv(0x04, ski)),
    extension(oids.id_ce_authorityKeyIdentifier, false, tlv(0x30, tlv(0x80, aki))),
  ];
}

/**
 * Generates a root CA: a key pair (ECDSA P-256 unless told otherwise) and a self-signed X.509 v3
 * certificate with basicConstraints cA (critical), keyUsage digitalSignature, keyCertSign and
 * cRLSign (critical), and subject and authority key identifiers. For the sample server's embedded
 * defaults and for tests; a production root is made offline.
 *
 * @example
 * ```ts
 * const root = await createSelfSignedCa({ subject: '/O=Example/CN=Example Root CA' });
 * const rootCa = createCertificateAuthority(root);
 * ```
 *
 * @throws IssuanceError `systemFailure` for a key WebCrypto cannot generate or this CA cannot sign
 *   with, or invalid options.
 */
export async function createSelfSignedCa(options: SelfSignedCaOptions): Promise<GeneratedCa> {
  const crypto = cryptoOf(options.crypto);
  const clock = clockOf(options.clock);
  const validityDays = options.validityDays ?? 3650;
  const backdate = options.backdateSeconds ?? 60;
  if (!(validityDays > 0) || !(backdate >= 0)) throw new IssuanceError('systemFailure', 'invalid CA validity');
  const pathLen = options.pathLenConstraint;
  if (pathLen !== undefined && !(Number.isInteger(pathLen) && pathLen >= 0)) {
    throw new IssuanceError('systemFailure', 'pathLenConstraint must be an integer >= 0');
  }
  const keys = await caKeyPair(crypto, options);
  const signer = signerFor(keys.privateKey, crypto);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  const ski = await keyIdentifier(crypto, decodeSubjectPublicKeyInfo(publicKey).subjectPublicKey, options.keyIdentifierMethod ?? 'sha1');
  const name = nameDer(nameOf(options.subject), 'CA');
  const notBefore = new Date(wholeSeconds(clock()).getTime() - backdate * 1000);
  const certificate = await buildCertificate(
    {
      serialNumber: checkSerialNumber(options.serialNumber ?? randomSerialNumber(crypto)),
      issuer: name,
      subject: name,
      notBefore,
      notAfter: addDays(notBefore, validityDays),
      publicKey,
      extensions: caExtensions(ski, ski, pathLen),
    },
    signer,
  );
  return { certificate, privateKey: keys.privateKey, publicKey: keys.publicKey, chain: [] };
}
