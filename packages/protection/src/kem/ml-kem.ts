import { decodeSubjectPublicKeyInfo, oidName, oids, type AlgorithmIdentifier, type KemCiphertextInfo } from '@cmpkit/codec';
import { cryptoOf, type CryptoOptions } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource } from '../internal/bytes.js';
import { childrenOf, elementBytes, readSingle } from '../internal/der.js';

/** The ML-KEM parameter sets (FIPS 203) by their WebCrypto names. */
export type MlKemName = 'ML-KEM-512' | 'ML-KEM-768' | 'ML-KEM-1024';

/** The OIDs of the LAMPS ML-KEM certificate specification (NIST arc, parameters absent). */
export const ML_KEM_OIDS: Readonly<Record<MlKemName, string>> = Object.freeze({
  'ML-KEM-512': oids.id_alg_ml_kem_512,
  'ML-KEM-768': oids.id_alg_ml_kem_768,
  'ML-KEM-1024': oids.id_alg_ml_kem_1024,
});

/** Ciphertext length per parameter set (FIPS 203 table 3). */
const CIPHERTEXT_LENGTH: Readonly<Record<MlKemName, number>> = { 'ML-KEM-512': 768, 'ML-KEM-768': 1088, 'ML-KEM-1024': 1568 };

const HINT = 'the WebCrypto provider must offer ML-KEM (Node 24.7+, or withPostQuantum from @cmpkit/pq-crypto)';

/** `SubtleCrypto` with the key encapsulation of the WICG Modern Algorithms draft. */
interface KemSubtle {
  encapsulateBits?(
    algorithm: AlgorithmIdentifier | Algorithm,
    key: CryptoKey,
  ): Promise<{ sharedKey: ArrayBuffer; ciphertext: ArrayBuffer }>;
  decapsulateBits?(algorithm: AlgorithmIdentifier | Algorithm, key: CryptoKey, ciphertext: BufferSource): Promise<ArrayBuffer>;
}

const ENCAPSULATE = ['encapsulateBits'] as unknown as KeyUsage[];
const DECAPSULATE = ['decapsulateBits'] as unknown as KeyUsage[];

/** The ML-KEM name of an AlgorithmIdentifier, or undefined. */
export function mlKemNameOf(identifier: AlgorithmIdentifier): MlKemName | undefined {
  return (Object.keys(ML_KEM_OIDS) as MlKemName[]).find((n) => ML_KEM_OIDS[n] === identifier.algorithm);
}

/** The ML-KEM name of a WebCrypto key, or undefined. */
export function mlKemNameOfKey(key: CryptoKey): MlKemName | undefined {
  const name = key.algorithm.name.toUpperCase();
  return (Object.keys(ML_KEM_OIDS) as MlKemName[]).find((n) => n === name);
}

function kemSubtle(crypto: Crypto): Required<KemSubtle> {
  const subtle = crypto.subtle as unknown as KemSubtle;
  if (typeof subtle.encapsulateBits !== 'function' || typeof subtle.decapsulateBits !== 'function') {
    throw new ProtectionError('badAlg', `ML-KEM: ${HINT}`);
  }
  return subtle as Required<KemSubtle>;
}

/** The SubjectPublicKeyInfo DER of a certificate, or the input when it already is one. */
function spkiOf(certificateOrSpki: Uint8Array): Uint8Array {
  try {
    const top = readSingle(certificateOrSpki, 'certificate or SubjectPublicKeyInfo', 0x30);
    const [first] = childrenOf(certificateOrSpki, top, 'certificate');
    if (first?.tag !== 0x30) throw new ProtectionError('badDataFormat', 'malformed certificate');
    const inner = childrenOf(certificateOrSpki, first, 'certificate');
    if (inner[0]?.tag === 0x06) return certificateOrSpki; // SPKI: AlgorithmIdentifier starts with the OID
    // Certificate: tbsCertificate = [version] serial signature issuer validity subject spki ...
    const offset = inner[0]?.tag === 0xa0 ? 1 : 0;
    const spki = inner[offset + 5];
    if (!spki) throw new ProtectionError('badDataFormat', 'malformed certificate');
    return elementBytes(certificateOrSpki, spki);
  } catch (e) {
    if (e instanceof ProtectionError) throw e;
    throw new ProtectionError('badDataFormat', 'KEM: malformed certificate or public key', e);
  }
}

/** The result of {@link encapsulate}. */
export interface KemEncapsulation {
  /** What goes to the key owner: the KEM algorithm and the ciphertext. */
  kemCiphertextInfo: KemCiphertextInfo;
  /** The shared secret (32 bytes for ML-KEM). Use it for one PKI management operation only. */
  sharedSecret: Uint8Array;
}

/**
 * Encapsulates a fresh shared secret to the ML-KEM public key of a certificate (or a DER
 * SubjectPublicKeyInfo): `Encapsulate(pk) -> (ct, ss)` of RFC 9810 section 5.1.3.4 and RFC 9629.
 *
 * @throws ProtectionError badAlg when the key is not ML-KEM or the crypto has no ML-KEM.
 */
export async function encapsulate(certificateOrSpki: Uint8Array, options: CryptoOptions = {}): Promise<KemEncapsulation> {
  const crypto = cryptoOf(options);
  const spki = spkiOf(certificateOrSpki);
  const info = decodeSubjectPublicKeyInfo(spki);
  const name = mlKemNameOf(info.algorithm);
  if (!name || info.algorithm.parameters) {
    throw new ProtectionError('badAlg', `KEM: ${oidName(info.algorithm.algorithm) ?? info.algorithm.algorithm} is not an ML-KEM key`);
  }
  const subtle = kemSubtle(crypto);
  try {
    const publicKey = await crypto.subtle.importKey('spki', bufferSource(spki), { name }, true, ENCAPSULATE);
    const { sharedKey, ciphertext } = await subtle.encapsulateBits({ name }, publicKey);
    return {
      kemCiphertextInfo: { kem: { algorithm: ML_KEM_OIDS[name] }, ct: new Uint8Array(ciphertext) },
      sharedSecret: new Uint8Array(sharedKey),
    };
  } catch (e) {
    throw new ProtectionError('badAlg', `KEM: ${name} encapsulation failed (${HINT})`, e);
  }
}

/**
 * Decapsulates the shared secret of a KemCiphertextInfo with the ML-KEM private key (a
 * CryptoKey with `decapsulateBits`, or PKCS #8 DER): `Decapsulate(sk, ct) -> ss`.
 *
 * @throws ProtectionError badMessageCheck when the ciphertext does not fit the key (RFC 9810
 *   section 5.1.3.4), badAlg for another KEM or a crypto without ML-KEM.
 */
export async function decapsulate(
  info: KemCiphertextInfo,
  privateKey: CryptoKey | Uint8Array,
  options: CryptoOptions = {},
): Promise<Uint8Array> {
  const crypto = cryptoOf(options);
  const name = mlKemNameOf(info.kem);
  if (!name || info.kem.parameters) {
    throw new ProtectionError('badAlg', `KEM: unsupported KEM algorithm ${oidName(info.kem.algorithm) ?? info.kem.algorithm}`);
  }
  const subtle = kemSubtle(crypto);
  let key: CryptoKey;
  if (privateKey instanceof Uint8Array) {
    try {
      key = await crypto.subtle.importKey('pkcs8', bufferSource(privateKey), { name }, false, DECAPSULATE);
    } catch (e) {
      throw new ProtectionError('badMessageCheck', `KEM: the private key is not an ${name} key`, e);
    }
  } else {
    key = privateKey;
    if (mlKemNameOfKey(key) !== name)
      throw new ProtectionError('badMessageCheck', `KEM: the ciphertext is for ${name}, the key is ${key.algorithm.name}`);
  }
  if (info.ct.length !== CIPHERTEXT_LENGTH[name]) {
    throw new ProtectionError('badMessageCheck', `KEM: an ${name} ciphertext has ${CIPHERTEXT_LENGTH[name]} bytes, not ${info.ct.length}`);
  }
  try {
    return new Uint8Array(await subtle.decapsulateBits({ name }, key, bufferSource(info.ct)));
  } catch (e) {
    throw new ProtectionError('badMessageCheck', `KEM: ${name} decapsulation failed`, e);
  }
}
