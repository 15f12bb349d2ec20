import {
  decodeAlgorithmIdentifier,
  encodeAlgorithmIdentifier,
  encodeSubjectPublicKeyInfo,
  oids,
  type AlgorithmIdentifier,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource } from '../internal/bytes.js';
import { childrenOf, elementBytes, encodeTlv, readSingle, readSmallInteger, readTlv } from '../internal/der.js';
import { nullParameters, requireAbsentOrNullParameters } from './parameters.js';
import { importSpki, keyHashName, requireKeyAlgorithm } from './spki.js';
import type { AlgorithmProvider, SignatureAlgorithm, SignatureKeyOptions } from './types.js';

type PssHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASHES: ReadonlyArray<readonly [string, PssHash, number]> = [
  [oids.id_sha1, 'SHA-1', 20],
  [oids.id_sha256, 'SHA-256', 32],
  [oids.id_sha384, 'SHA-384', 48],
  [oids.id_sha512, 'SHA-512', 64],
];

/**
 * RSASSA-PSS-params, RFC 4055 section 3.1 (EXPLICIT tags):
 *
 * ```asn1
 * RSASSA-PSS-params  ::=  SEQUENCE  {
 *     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
 *     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
 *     saltLength         [2] INTEGER DEFAULT 20,
 *     trailerField       [3] INTEGER DEFAULT 1  }
 * ```
 */
export interface RsaSsaPssParams {
  hash: PssHash;
  saltLength: number;
}

function hashOf(identifier: AlgorithmIdentifier, what: string): PssHash {
  const entry = HASHES.find(([oid]) => oid === identifier.algorithm);
  if (!entry) throw new ProtectionError('badAlg', `RSASSA-PSS: unsupported ${what} ${identifier.algorithm}`);
  requireAbsentOrNullParameters(identifier);
  return entry[1];
}

/** Decodes and checks RSASSA-PSS-params; anything WebCrypto cannot honour is badAlg. */
export function decodeRsaSsaPssParams(der: Uint8Array): RsaSsaPssParams {
  let hash: PssHash = 'SHA-1';
  let mgfHash: PssHash = 'SHA-1';
  let saltLength = 20;
  try {
    const seq = readSingle(der, 'RSASSA-PSS-params', 0x30);
    let last = -1;
    for (const field of childrenOf(der, seq, 'RSASSA-PSS-params')) {
      const n = field.tag - 0xa0;
      if (n < 0 || n > 3 || n <= last) throw new ProtectionError('badAlg', 'RSASSA-PSS-params: unexpected field');
      last = n;
      const inner = readTlv(der, field.contentStart, field.end, 'RSASSA-PSS-params');
      if (inner.end !== field.end) throw new ProtectionError('badAlg', 'RSASSA-PSS-params: trailing bytes');
      if (n === 0) {
        hash = hashOf(decodeAlgorithmIdentifier(elementBytes(der, inner)), 'hashAlgorithm');
      } else if (n === 1) {
        const mgf = decodeAlgorithmIdentifier(elementBytes(der, inner));
        if (mgf.algorithm !== oids.id_mgf1 || !mgf.parameters) {
          throw new ProtectionError('badAlg', 'RSASSA-PSS: maskGenAlgorithm must be MGF1');
        }
        mgfHash = hashOf(decodeAlgorithmIdentifier(mgf.parameters.der), 'MGF1 hash');
      } else if (n === 2) {
        saltLength = readSmallInteger(der, inner, 'saltLength');
      } else if (readSmallInteger(der, inner, 'trailerField') !== 1) {
        throw new ProtectionError('badAlg', 'RSASSA-PSS: trailerField must be 1');
      }
    }
  } catch (e) {
    if (e instanceof ProtectionError && e.failInfo.includes('badAlg')) throw e;
    throw new ProtectionError('badAlg', 'RSASSA-PSS: malformed parameters', e);
  }
  if (mgfHash !== hash) throw new ProtectionError('badAlg', `RSASSA-PSS: MGF1 with ${mgfHash} under ${hash} is not supported`);
  if (saltLength > 1024) throw new ProtectionError('badAlg', 'RSASSA-PSS: saltLength out of range');
  return { hash, saltLength };
}

/** RSASSA-PSS-params for `hash` with MGF1 of the same hash and a salt as long as the hash. */
export function encodeRsaSsaPssParams(hash: Exclude<PssHash, 'SHA-1'>): Uint8Array {
  const [oid, , length] = HASHES.find(([, h]) => h === hash) as (typeof HASHES)[number];
  const hashId = encodeAlgorithmIdentifier({ algorithm: oid });
  const mgf = encodeAlgorithmIdentifier({ algorithm: oids.id_mgf1, parameters: { der: hashId } });
  return encodeTlv(0x30, encodeTlv(0xa0, hashId), encodeTlv(0xa1, mgf), encodeTlv(0xa2, encodeTlv(0x02, Uint8Array.of(length))));
}

function rsaPss(identifier: AlgorithmIdentifier, params: RsaSsaPssParams): SignatureAlgorithm {
  const { hash, saltLength } = params;
  const hashOid = (HASHES.find(([, h]) => h === hash) as (typeof HASHES)[number])[0];
  return Object.freeze({
    name: 'RSASSA-PSS',
    identifier,
    hash,
    certHashAlgorithm: { algorithm: hashOid },
    weak: hash === 'SHA-1',
    importPublicKey(crypto: Crypto, spki: Uint8Array, info: SubjectPublicKeyInfo): Promise<CryptoKey> {
      requireKeyAlgorithm(info, [oids.rsaEncryption, oids.id_RSASSA_PSS], 'RSASSA-PSS');
      // WebCrypto providers differ on id-RSASSA-PSS keys; the key bits are the same RSAPublicKey.
      const der =
        info.algorithm.algorithm === oids.rsaEncryption
          ? spki
          : encodeSubjectPublicKeyInfo({
              algorithm: { algorithm: oids.rsaEncryption, parameters: nullParameters() },
              subjectPublicKey: info.subjectPublicKey,
            });
      return importSpki(crypto, der, { name: 'RSA-PSS', hash }, 'RSASSA-PSS');
    },
    async sign(crypto: Crypto, privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await crypto.subtle.sign({ name: 'RSA-PSS', saltLength }, privateKey, bufferSource(data)));
    },
    async verify(crypto: Crypto, publicKey: CryptoKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
      try {
        return await crypto.subtle.verify({ name: 'RSA-PSS', saltLength }, publicKey, bufferSource(signature), bufferSource(data));
      } catch {
        return false;
      }
    },
  });
}

/**
 * RSASSA-PSS (RFC 9481 section 3.1, RFC 4055): parameters decoded and honoured (hash, MGF1 hash
 * which must equal it, salt length, trailer field 1). cmpkit signs with MGF1 of the key's hash
 * and a salt as long as the hash.
 */
export const rsaPssSignatures: AlgorithmProvider = Object.freeze({
  name: 'rsa-pss',
  signature(identifier: AlgorithmIdentifier): SignatureAlgorithm | null {
    if (identifier.algorithm !== oids.id_RSASSA_PSS) return null;
    if (!identifier.parameters) throw new ProtectionError('badAlg', 'RSASSA-PSS: parameters are required');
    return rsaPss(identifier, decodeRsaSsaPssParams(identifier.parameters.der));
  },
  signatureForKey(key: CryptoKey, options: SignatureKeyOptions): SignatureAlgorithm | null {
    if (key.algorithm.name !== 'RSA-PSS') return null;
    const hash = keyHashName(key);
    if (hash !== 'SHA-256' && hash !== 'SHA-384' && hash !== 'SHA-512') {
      throw new ProtectionError('badAlg', `cmpkit does not sign with RSASSA-PSS and ${hash ?? 'no hash'}`);
    }
    if (options.hash && options.hash !== hash) {
      throw new ProtectionError('badAlg', `the RSA-PSS key was imported for ${hash}, not ${options.hash}; import it again with that hash`);
    }
    const length = (HASHES.find(([, h]) => h === hash) as (typeof HASHES)[number])[2];
    return rsaPss({ algorithm: oids.id_RSASSA_PSS, parameters: { der: encodeRsaSsaPssParams(hash) } }, { hash, saltLength: length });
  },
});
