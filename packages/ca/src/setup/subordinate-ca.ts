import { decodeSubjectPublicKeyInfo, type Name } from '@cmpkit/codec';
import type { CertificateAuthority } from '../certificate-authority.js';
import { IssuanceError } from '../errors/issuance-error.js';
import { cryptoOf } from '../internal/environment.js';
import { defineProfile, type KeyAlgorithm, type ProfileAuthorityInfoAccess } from '../profile/certificate-profile.js';
import { caKeyPair, type CaKeyOptions, type GeneratedCa } from './generated-ca.js';
import { nameOf } from './self-signed-ca.js';

/** Input of {@link createSubordinateCa}. */
export interface SubordinateCaOptions extends CaKeyOptions {
  /** The new CA's name, as a Name or in OpenSSL's form `/O=Example/CN=Issuing CA`. */
  subject: Name | string;
  /** Lifetime in days, cut to the issuer's own notAfter. Default: 1825. */
  validityDays?: number;
  /** basicConstraints pathLenConstraint. Default: 0 (issues end-entity certificates only). */
  pathLenConstraint?: number;
  /** cRLDistributionPoints URL(s) of the issuer's CRL, written into the new certificate. */
  crlDistributionPoint?: string | readonly string[];
  /** authorityInfoAccess locations written into the new certificate. */
  authorityInfoAccess?: ProfileAuthorityInfoAccess;
  /** The WebCrypto implementation used to generate the key. Default: `globalThis.crypto`. */
  crypto?: Crypto;
}

const ANY_KEY: readonly KeyAlgorithm[] = [
  'ec:P-256',
  'ec:P-384',
  'ec:P-521',
  'rsa:2048+',
  'rsa-pss:2048+',
  'ed25519',
  'ed448',
  'ml-dsa-44',
  'ml-dsa-65',
  'ml-dsa-87',
];

/**
 * Generates an issuing (subordinate) CA under `issuer`: a key pair (ECDSA P-256 unless told
 * otherwise) and a certificate signed by `issuer` with basicConstraints cA (critical,
 * pathLenConstraint 0 by default), keyUsage digitalSignature, keyCertSign and cRLSign (critical)
 * and key identifiers. `chain` is the issuer's certificate followed by the issuer's chain.
 *
 * @example
 * ```ts
 * const root = await createSelfSignedCa({ subject: '/CN=Example Root CA' });
 * const issuing = await createSubordinateCa(createCertificateAuthority(root), { subject: '/CN=Example Issuing CA' });
 * const ca = createCertificateAuthority(issuing); // issuing.chain = [root.certificate]
 * ```
 *
 * @throws IssuanceError from `issuer.issue` (e.g. `notAuthorized` when the issuer's
 *   pathLenConstraint is 0), or `systemFailure` for a key WebCrypto cannot generate.
 */
export async function createSubordinateCa(issuer: CertificateAuthority, options: SubordinateCaOptions): Promise<GeneratedCa> {
  const crypto = cryptoOf(options.crypto);
  const keys = await caKeyPair(crypto, options);
  let spki;
  try {
    spki = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey)));
  } catch (cause) {
    throw new IssuanceError('systemFailure', 'the generated CA key cannot be exported', cause);
  }
  const profile = defineProfile({
    name: 'subordinate CA',
    validityDays: options.validityDays ?? 1825,
    basicConstraints: { cA: true, pathLenConstraint: options.pathLenConstraint ?? 0 },
    keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
    keyAlgorithms: ANY_KEY,
    allowSubjectAltName: false,
    ...(options.crlDistributionPoint === undefined ? {} : { crlDistributionPoint: options.crlDistributionPoint }),
    ...(options.authorityInfoAccess === undefined ? {} : { authorityInfoAccess: options.authorityInfoAccess }),
  });
  const { certificate } = await issuer.issue({ template: { subject: nameOf(options.subject) }, publicKey: spki, profile });
  return {
    certificate,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    chain: [issuer.certificate.slice(), ...issuer.chain.map((c) => c.slice())],
  };
}
