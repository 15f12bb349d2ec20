import { decodeAlgorithmIdentifier, oidName, type AlgorithmIdentifier, type CertStatus } from '@cmpkit/codec';
import { cryptoOf } from './crypto-options.js';
import { ProtectionError } from './errors/protection-error.js';
import { equalBytes, hex } from './internal/bytes.js';
import { algorithmsOf, type AlgorithmOptions } from './options.js';
import { childrenOf, elementBytes, readSingle } from './internal/der.js';

/** Options of {@link computeCertHash}. */
export interface CertHashOptions extends AlgorithmOptions {
  /**
   * The digest to use when the certificate's signature algorithm names none (e.g. ML-DSA); it is
   * then returned for CertStatus.hashAlg. Ignored when the signature algorithm names a hash.
   */
  hashAlg?: AlgorithmIdentifier;
  /** The pvno of the certConf: when hashAlg is needed it must be cmp2021 (3). */
  pvno?: number;
}

/** A certHash and, when one must be sent, its hashAlg. */
export interface CertHash {
  certHash: Uint8Array;
  /** Present only when CertStatus.hashAlg must be sent. */
  hashAlg?: AlgorithmIdentifier;
}

function signatureAlgorithmOf(certDer: Uint8Array): AlgorithmIdentifier {
  try {
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }: only the
    // second element is needed, so the TBSCertificate is skipped rather than parsed.
    const [, algorithm, signature] = childrenOf(certDer, readSingle(certDer, 'Certificate', 0x30), 'Certificate');
    if (!algorithm || !signature) throw new ProtectionError('badCertId', 'certHash: the certificate is not a Certificate');
    return decodeAlgorithmIdentifier(elementBytes(certDer, algorithm));
  } catch (e) {
    throw new ProtectionError('badCertId', 'certHash: the certificate cannot be parsed', e);
  }
}

/** The digest for a certificate, and whether it has to be named in hashAlg. */
function certHashDigest(certDer: Uint8Array, options: CertHashOptions): { digest: AlgorithmIdentifier; explicit: boolean } {
  const signatureAlgorithm = signatureAlgorithmOf(certDer);
  let named: AlgorithmIdentifier | undefined;
  try {
    named = algorithmsOf(options).signature(signatureAlgorithm).certHashAlgorithm;
  } catch {
    named = undefined;
  }
  if (named) return { digest: named, explicit: false };
  if (!options.hashAlg) {
    const name = oidName(signatureAlgorithm.algorithm) ?? signatureAlgorithm.algorithm;
    throw new ProtectionError('badAlg', `certHash: the signature algorithm ${name} names no hash; pass hashAlg`);
  }
  return { digest: options.hashAlg, explicit: true };
}

/**
 * The certHash of CertStatus (RFC 9810 section 5.3.18): the hash of the whole DER certificate
 * with the hash of its signature algorithm (SHA-256 for ecdsa-with-SHA256, the PSS hash for
 * RSASSA-PSS, SHA-512 for Ed25519 and SHAKE256/512 for Ed448 per RFC 9481 section 3.3), or with
 * `options.hashAlg` when the signature algorithm names none, in which case `hashAlg` is returned
 * to be sent and the certConf must have pvno 3.
 *
 * @throws ProtectionError badAlg when no hash can be determined or it is not available.
 */
export async function computeCertHash(certDer: Uint8Array, options: CertHashOptions = {}): Promise<CertHash> {
  const { digest, explicit } = certHashDigest(certDer, options);
  if (explicit && options.pvno !== undefined && options.pvno !== 3) {
    throw new ProtectionError('badAlg', `certHash: hashAlg requires pvno cmp2021 (3), not ${options.pvno}`);
  }
  const certHash = await algorithmsOf(options).digest(digest).digest(cryptoOf(options), certDer);
  return explicit ? { certHash, hashAlg: digest } : { certHash };
}

/**
 * Checks a received CertStatus against the certificate it confirms: with its hashAlg when
 * present, otherwise with the hash of the certificate's signature algorithm.
 *
 * @throws ProtectionError badCertId when the hash differs, badAlg when it cannot be computed.
 */
export async function verifyCertHash(certStatus: CertStatus, certDer: Uint8Array, options: AlgorithmOptions = {}): Promise<void> {
  const digest = certStatus.hashAlg ?? certHashDigest(certDer, options).digest;
  const expected = await algorithmsOf(options).digest(digest).digest(cryptoOf(options), certDer);
  if (!equalBytes(expected, certStatus.certHash)) {
    throw new ProtectionError('badCertId', `certHash ${hex(certStatus.certHash)} does not match the certificate (${hex(expected)})`);
  }
}
