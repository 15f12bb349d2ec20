import { oids, type AlgorithmIdentifier, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource } from '../internal/bytes.js';
import { readOid, readSingle } from '../internal/der.js';
import { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-signature-format.js';
import { requireAbsentParameters } from './parameters.js';
import { importEcPoint, importSpki, requireKeyAlgorithm } from './spki.js';
import type { AlgorithmProvider, SignatureAlgorithm, SignatureKeyOptions } from './types.js';

type EcdsaHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const TABLE: ReadonlyArray<readonly [string, string, EcdsaHash, string]> = [
  [oids.ecdsa_with_SHA1, 'ecdsa-with-SHA1', 'SHA-1', oids.id_sha1],
  [oids.ecdsa_with_SHA256, 'ecdsa-with-SHA256', 'SHA-256', oids.id_sha256],
  [oids.ecdsa_with_SHA384, 'ecdsa-with-SHA384', 'SHA-384', oids.id_sha384],
  [oids.ecdsa_with_SHA512, 'ecdsa-with-SHA512', 'SHA-512', oids.id_sha512],
];

/** Named curves: OID, WebCrypto name, bytes per coordinate, default hash (RFC 5480 section 4). */
const CURVES: ReadonlyArray<readonly [string, string, number, EcdsaHash]> = [
  [oids.secp256r1, 'P-256', 32, 'SHA-256'],
  [oids.secp384r1, 'P-384', 48, 'SHA-384'],
  [oids.secp521r1, 'P-521', 66, 'SHA-512'],
];

/** The WebCrypto curve name of an id-ecPublicKey SubjectPublicKeyInfo. */
export function namedCurveOf(info: SubjectPublicKeyInfo): string {
  const params = info.algorithm.parameters?.der;
  let oid = '';
  try {
    if (params) oid = readOid(params, readSingle(params, 'ECParameters'), 'ECParameters');
  } catch {
    oid = '';
  }
  const curve = CURVES.find(([o]) => o === oid);
  if (!curve) throw new ProtectionError('badAlg', `unsupported elliptic curve ${oid || '(not a named curve)'}`);
  return curve[1];
}

function coordinateSize(key: CryptoKey): number {
  const curve = (key.algorithm as EcKeyAlgorithm).namedCurve;
  return CURVES.find(([, name]) => name === curve)?.[2] ?? 0;
}

function ecdsa(entry: (typeof TABLE)[number]): SignatureAlgorithm {
  const [oid, name, hash, digestOid] = entry;
  return Object.freeze({
    name,
    identifier: { algorithm: oid },
    hash,
    certHashAlgorithm: { algorithm: digestOid },
    weak: hash === 'SHA-1',
    importPublicKey(crypto: Crypto, spki: Uint8Array, info: SubjectPublicKeyInfo): Promise<CryptoKey> {
      requireKeyAlgorithm(info, [oids.id_ecPublicKey], name);
      const namedCurve = namedCurveOf(info);
      const point = info.subjectPublicKey;
      const size = CURVES.find(([, n]) => n === namedCurve)?.[2] ?? 0;
      // The bare point imports several times faster than the SPKI (no decoder round); both check it is on the curve.
      if (point.length === 1 + 2 * size && point[0] === 0x04) return importEcPoint(crypto, point, namedCurve, name);
      return importSpki(crypto, spki, { name: 'ECDSA', namedCurve }, name);
    },
    async sign(crypto: Crypto, privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
      const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash }, privateKey, bufferSource(data)));
      return ecdsaRawToDer(raw);
    },
    async verify(crypto: Crypto, publicKey: CryptoKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
      const raw = ecdsaDerToRaw(signature, coordinateSize(publicKey));
      if (!raw) return false;
      try {
        return await crypto.subtle.verify({ name: 'ECDSA', hash }, publicKey, bufferSource(raw), bufferSource(data));
      } catch {
        return false;
      }
    },
  });
}

/**
 * ECDSA on P-256, P-384 and P-521 with SHA-256/384/512 (RFC 9481 section 3.2), and with SHA-1 for
 * verifying old signatures (`allowSha1`). Parameters must be absent (RFC 5758 section 3.2).
 * Signatures are DER on the wire and `r || s` in WebCrypto; this provider converts. The default
 * hash follows the curve (P-256: SHA-256, P-384: SHA-384, P-521: SHA-512).
 */
export const ecdsaSignatures: AlgorithmProvider = Object.freeze({
  name: 'ecdsa',
  signature(identifier: AlgorithmIdentifier): SignatureAlgorithm | null {
    const entry = TABLE.find(([oid]) => oid === identifier.algorithm);
    if (!entry) return null;
    requireAbsentParameters(identifier);
    return ecdsa(entry);
  },
  signatureForKey(key: CryptoKey, options: SignatureKeyOptions): SignatureAlgorithm | null {
    if (key.algorithm.name !== 'ECDSA') return null;
    const curve = CURVES.find(([, n]) => n === (key.algorithm as EcKeyAlgorithm).namedCurve);
    if (!curve) throw new ProtectionError('badAlg', `unsupported elliptic curve ${(key.algorithm as EcKeyAlgorithm).namedCurve}`);
    const hash = options.hash ?? curve[3];
    return ecdsa(TABLE.find(([, , h]) => h === hash) as (typeof TABLE)[number]);
  },
});
