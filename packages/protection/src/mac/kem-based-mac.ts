import {
  decodeKemBMParameter,
  encodeKemBMParameter,
  encodeKemOtherInfo,
  oidName,
  oids,
  type AlgorithmIdentifier,
  type KemBMParameter,
} from '@cmpkit/codec';
import { webCrypto } from '../algorithms/parameters.js';
import type { AlgorithmRegistry } from '../algorithms/registry.js';
import type { Sha2Name } from '../algorithms/types.js';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource } from '../internal/bytes.js';

/** The KDFs of KEM-based MAC cmpkit offers: HKDF (RFC 5869) with a SHA-2 hash, identified as in RFC 8619. */
export type KemKdfName = 'HKDF-SHA256' | 'HKDF-SHA384' | 'HKDF-SHA512';
/** The MACs of KEM-based MAC cmpkit offers (RFC 9481 section 6.2.1). */
export type KemMacName = 'HMAC-SHA256' | 'HMAC-SHA384' | 'HMAC-SHA512';

/** How to protect with a KEM shared secret. Default: HKDF-SHA256, 32 bytes, HMAC-SHA256. */
export interface KemMacChoice {
  kdf?: KemKdfName;
  mac?: KemMacName;
  /** KemBMParameter.len, the HMAC key length in bytes: 16 to 64. Default 32. */
  len?: number;
  /** KemBMParameter.kemContext, copied into KemOtherInfo. Default absent. */
  kemContext?: Uint8Array;
}

const KDFS: Readonly<Record<KemKdfName, { oid: string; hash: Sha2Name }>> = {
  'HKDF-SHA256': { oid: oids.id_alg_hkdf_with_sha256, hash: 'SHA-256' },
  'HKDF-SHA384': { oid: oids.id_alg_hkdf_with_sha384, hash: 'SHA-384' },
  'HKDF-SHA512': { oid: oids.id_alg_hkdf_with_sha512, hash: 'SHA-512' },
};
const MACS: Readonly<Record<KemMacName, string>> = {
  'HMAC-SHA256': oids.id_hmacWithSHA256,
  'HMAC-SHA384': oids.id_hmacWithSHA384,
  'HMAC-SHA512': oids.id_hmacWithSHA512,
};

/** The staticString of KemOtherInfo (RFC 9810 section 5.1.3.4). */
export const KEM_STATIC_STRING = 'CMP-KEM';

/** A checked id-KemBasedMac identifier. */
export interface ResolvedKemBasedMac {
  readonly name: 'KemBasedMac';
  readonly kdfHash: Sha2Name;
  readonly macHash: Sha2Name;
  readonly parameters: KemBMParameter;
}

/** The id-KemBasedMac AlgorithmIdentifier for `choice`. */
export function kemBasedMacIdentifier(choice: KemMacChoice = {}): AlgorithmIdentifier {
  const kdf = KDFS[choice.kdf ?? 'HKDF-SHA256'];
  const mac = MACS[choice.mac ?? 'HMAC-SHA256'];
  if (!kdf || !mac)
    throw new ProtectionError('badAlg', `KEM-based MAC: unsupported choice ${JSON.stringify({ kdf: choice.kdf, mac: choice.mac })}`);
  const parameters: KemBMParameter = { kdf: { algorithm: kdf.oid }, len: choice.len ?? 32, mac: { algorithm: mac } };
  if (choice.kemContext) parameters.kemContext = choice.kemContext;
  return { algorithm: oids.id_KemBasedMac, parameters: { der: encodeKemBMParameter(parameters) } };
}

/**
 * Checks an id-KemBasedMac identifier before any derivation: KemBMParameter present, kdf one of
 * the HKDF OIDs with absent parameters, mac an HMAC-SHA2 the registry knows, len 16..64.
 *
 * @throws ProtectionError badAlg.
 */
export function resolveKemBasedMac(identifier: AlgorithmIdentifier, registry: AlgorithmRegistry): ResolvedKemBasedMac {
  if (identifier.algorithm !== oids.id_KemBasedMac) throw new ProtectionError('badAlg', 'not id-KemBasedMac');
  if (!identifier.parameters) throw new ProtectionError('badAlg', 'id-KemBasedMac without KemBMParameter');
  let parameters: KemBMParameter;
  try {
    parameters = decodeKemBMParameter(identifier.parameters.der);
  } catch (e) {
    throw new ProtectionError('badAlg', 'malformed KemBMParameter', e);
  }
  const kdf = Object.values(KDFS).find((k) => k.oid === parameters.kdf.algorithm);
  if (!kdf || parameters.kdf.parameters) {
    const name = oidName(parameters.kdf.algorithm) ?? parameters.kdf.algorithm;
    throw new ProtectionError('badAlg', `KEM-based MAC: unsupported KDF ${name} (HKDF with SHA-256/384/512 and absent parameters)`);
  }
  const mac = registry.mac(parameters.mac);
  if (mac.hash === 'SHA-1') throw new ProtectionError('badAlg', 'KEM-based MAC: HMAC-SHA1 is not accepted');
  if (!Number.isInteger(parameters.len) || parameters.len < 16 || parameters.len > 64) {
    throw new ProtectionError('badAlg', `KEM-based MAC: len ${parameters.len} is outside 16..64`);
  }
  return { name: 'KemBasedMac', kdfHash: kdf.hash, macHash: mac.hash, parameters };
}

/**
 * The shared secret key: `KDF(ss, len, DER(KemOtherInfo))` (RFC 9810 section 5.1.3.4, RFC 9629
 * section 5), with HKDF's salt empty and KemOtherInfo = { "CMP-KEM", transactionID, kemContext }.
 */
export async function deriveKemMacKey(
  crypto: Crypto,
  resolved: ResolvedKemBasedMac,
  sharedSecret: Uint8Array,
  transactionID: Uint8Array,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  const { len, kemContext } = resolved.parameters;
  const info = encodeKemOtherInfo({
    staticString: [KEM_STATIC_STRING],
    transactionID,
    ...(kemContext ? { kemContext } : {}),
  });
  return webCrypto('badAlg', 'KEM-based MAC key derivation', async () => {
    const ikm = await crypto.subtle.importKey('raw', bufferSource(sharedSecret), 'HKDF', false, ['deriveBits']);
    const ssk = await crypto.subtle.deriveBits(
      { name: 'HKDF', hash: resolved.kdfHash, salt: new Uint8Array(0), info: bufferSource(info) } as HkdfParams,
      ikm,
      len * 8,
    );
    return crypto.subtle.importKey('raw', ssk, { name: 'HMAC', hash: resolved.macHash }, false, usages);
  });
}

/** The MAC over `data`. */
export async function computeKemMac(
  crypto: Crypto,
  resolved: ResolvedKemBasedMac,
  sharedSecret: Uint8Array,
  transactionID: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const key = await deriveKemMacKey(crypto, resolved, sharedSecret, transactionID, ['sign']);
  return webCrypto('badAlg', 'HMAC', async () => new Uint8Array(await crypto.subtle.sign('HMAC', key, bufferSource(data))));
}

/** True when `mac` is the MAC of `data`, compared by `crypto.subtle.verify`. */
export async function checkKemMac(
  crypto: Crypto,
  resolved: ResolvedKemBasedMac,
  sharedSecret: Uint8Array,
  transactionID: Uint8Array,
  data: Uint8Array,
  mac: Uint8Array,
): Promise<boolean> {
  const key = await deriveKemMacKey(crypto, resolved, sharedSecret, transactionID, ['verify']);
  return webCrypto('badAlg', 'HMAC', () => crypto.subtle.verify('HMAC', key, bufferSource(mac), bufferSource(data)));
}
