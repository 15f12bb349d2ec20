import { decodeAlgorithmIdentifier } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { curveOfOid, type HashName, type NamedCurve } from './algorithms.js';
import { cmsOids } from './cms-oids.js';
import { bytesOf, contentsOf, oidText, readElement, TAG, topLevel } from './der.js';
import { bufferOf, guard } from './webcrypto.js';
import { mlKemNameOf, mlKemNameOfKey } from '../kem/ml-kem.js';

/** What kind of asymmetric key a private key is, as far as CMS key management cares. */
export type PrivateKeyKind =
  { kind: 'rsa' } | { kind: 'ec'; curve: NamedCurve } | { kind: 'ml-kem'; name: string } | { kind: 'other'; name: string };

const RSA_OIDS: readonly string[] = [cmsOids.rsaEncryption, cmsOids.id_RSAES_OAEP, cmsOids.id_RSASSA_PSS];

/**
 * Checks that `der` is shaped like a OneAsymmetricKey / PKCS#8 PrivateKeyInfo (RFC 5958 section 2)
 * and returns the DER of its privateKeyAlgorithm:
 *
 * ```asn1
 * OneAsymmetricKey ::= SEQUENCE {
 *   version                   Version,
 *   privateKeyAlgorithm       PrivateKeyAlgorithmIdentifier,
 *   privateKey                PrivateKey,
 *   attributes            [0] Attributes OPTIONAL,
 *   ...,
 *   [[2: publicKey        [1] PublicKey OPTIONAL ]],
 *   ... }
 * ```
 */
export function oneAsymmetricKeyAlgorithm(der: Uint8Array): Uint8Array {
  const { element, children } = topLevel(der, 'PKCS#8 private key');
  const [version, algorithm, key] = children;
  if (
    element.tag !== TAG.SEQUENCE ||
    !version ||
    version.tag !== TAG.INTEGER ||
    !algorithm ||
    algorithm.tag !== TAG.SEQUENCE ||
    !key ||
    key.tag !== TAG.OCTET_STRING
  ) {
    throw new ProtectionError('badDataFormat', 'malformed PKCS#8 private key');
  }
  const v = contentsOf(der, version);
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 1)) {
    throw new ProtectionError('badDataFormat', 'PKCS#8 private key version must be v1 or v2');
  }
  return bytesOf(der, algorithm);
}

/** The kind of a PKCS#8 private key. */
export function pkcs8Kind(der: Uint8Array): PrivateKeyKind {
  const alg = decodeAlgorithmIdentifier(oneAsymmetricKeyAlgorithm(der));
  if (RSA_OIDS.includes(alg.algorithm)) return { kind: 'rsa' };
  if (alg.algorithm === cmsOids.id_ecPublicKey) {
    const params = alg.parameters?.der;
    if (!params || params[0] !== TAG.OID) return { kind: 'other', name: 'EC with explicit parameters' };
    const curveOid = readElement(params, 0, 'EC parameters');
    return { kind: 'ec', curve: curveOfOid(oidText(contentsOf(params, curveOid))) };
  }
  const kem = mlKemNameOf(alg);
  if (kem) return { kind: 'ml-kem', name: kem };
  return { kind: 'other', name: alg.algorithm };
}

/** The kind of a private key given as PKCS#8 or CryptoKey. */
export function privateKeyKind(key: CryptoKey | Uint8Array): PrivateKeyKind {
  if (key instanceof Uint8Array) return pkcs8Kind(key);
  const algorithm = key.algorithm as KeyAlgorithm & { namedCurve?: string };
  if (algorithm.name.startsWith('RSA')) return { kind: 'rsa' };
  if ((algorithm.name === 'ECDH' || algorithm.name === 'ECDSA') && algorithm.namedCurve) {
    const curve = algorithm.namedCurve;
    if (curve === 'P-256' || curve === 'P-384' || curve === 'P-521') return { kind: 'ec', curve };
  }
  const kem = mlKemNameOfKey(key);
  if (kem) return { kind: 'ml-kem', name: kem };
  return { kind: 'other', name: algorithm.name };
}

function hashName(algorithm: KeyAlgorithm): string | undefined {
  return (algorithm as { hash?: { name?: string } }).hash?.name;
}

/**
 * The private key as a CryptoKey for `algorithm` and `usages`: used as is when it already fits,
 * else imported from PKCS#8 (exported first when it is an extractable CryptoKey).
 */
export async function privateKeyFor(
  crypto: Crypto,
  key: CryptoKey | Uint8Array,
  algorithm: { name: 'RSA-OAEP'; hash: HashName } | { name: 'ECDH'; namedCurve: NamedCurve },
  usages: KeyUsage[],
): Promise<CryptoKey> {
  if (!(key instanceof Uint8Array)) {
    const fits =
      key.algorithm.name === algorithm.name &&
      usages.every((u) => key.usages.includes(u)) &&
      (algorithm.name !== 'RSA-OAEP' || hashName(key.algorithm) === algorithm.hash);
    if (fits) return key;
    if (!key.extractable) {
      throw new ProtectionError(
        'badAlg',
        `the private key is a non-extractable ${key.algorithm.name} key; ${algorithm.name} needs it as ${JSON.stringify(algorithm)}`,
      );
    }
  }
  const pkcs8 =
    key instanceof Uint8Array
      ? key
      : new Uint8Array(await guard(() => crypto.subtle.exportKey('pkcs8', key), 'badAlg', 'cannot export the private key'));
  return guard(
    () => crypto.subtle.importKey('pkcs8', bufferOf(pkcs8), algorithm, false, usages),
    'badAlg',
    `cannot use the private key for ${algorithm.name}`,
  );
}
