import { oids, type AlgorithmIdentifier, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { bufferSource } from '../internal/bytes.js';
import { requireAbsentParameters } from './parameters.js';
import { importSpki, requireKeyAlgorithm } from './spki.js';
import type { AlgorithmProvider, SignatureAlgorithm, SignatureKeyOptions } from './types.js';

type Curve = 'Ed25519' | 'Ed448';

/** The sign/verify parameters for a key: `{ name: 'Ed25519' }`, or `{ name: 'EdDSA' }` where the provider names it so. */
function signParams(key: CryptoKey): Algorithm {
  return { name: key.algorithm.name === 'EdDSA' ? 'EdDSA' : key.algorithm.name };
}

function eddsa(curve: Curve): SignatureAlgorithm {
  const oid = curve === 'Ed25519' ? oids.id_Ed25519 : oids.id_Ed448;
  return Object.freeze({
    name: curve,
    identifier: { algorithm: oid },
    hash: undefined,
    // RFC 9481 section 3.3: certHash is SHA-512 for Ed25519 and SHAKE256 (d=512) for Ed448.
    certHashAlgorithm: { algorithm: curve === 'Ed25519' ? oids.id_sha512 : oids.id_shake256 },
    weak: false,
    async importPublicKey(crypto: Crypto, spki: Uint8Array, info: SubjectPublicKeyInfo): Promise<CryptoKey> {
      requireKeyAlgorithm(info, [oid], curve);
      try {
        return await importSpki(crypto, spki, { name: curve }, curve);
      } catch (e) {
        // Some providers (e.g. @peculiar/webcrypto for Ed448) name the algorithm EdDSA.
        try {
          return await importSpki(crypto, spki, { name: 'EdDSA', namedCurve: curve } as EcKeyImportParams, curve);
        } catch {
          throw e;
        }
      }
    },
    async sign(crypto: Crypto, privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await crypto.subtle.sign(signParams(privateKey), privateKey, bufferSource(data)));
    },
    async verify(crypto: Crypto, publicKey: CryptoKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
      try {
        return await crypto.subtle.verify(signParams(publicKey), publicKey, bufferSource(signature), bufferSource(data));
      } catch {
        return false;
      }
    },
  });
}

function curveOfKey(key: CryptoKey): Curve | null {
  const name = key.algorithm.name;
  if (name === 'Ed25519' || name === 'Ed448') return name;
  if (name === 'EdDSA') {
    const curve = (key.algorithm as EcKeyAlgorithm).namedCurve;
    if (curve === 'Ed25519' || curve === 'Ed448') return curve;
  }
  return null;
}

/**
 * Ed25519 and Ed448 (RFC 9481 section 3.3, RFC 8419); parameters must be absent. Ed448 works
 * where the WebCrypto provider has it (Node's as `Ed448`, `@peculiar/webcrypto` as `EdDSA`).
 */
export const eddsaSignatures: AlgorithmProvider = Object.freeze({
  name: 'eddsa',
  signature(identifier: AlgorithmIdentifier): SignatureAlgorithm | null {
    const curve = identifier.algorithm === oids.id_Ed25519 ? 'Ed25519' : identifier.algorithm === oids.id_Ed448 ? 'Ed448' : null;
    if (!curve) return null;
    requireAbsentParameters(identifier);
    return eddsa(curve);
  },
  signatureForKey(key: CryptoKey, options: SignatureKeyOptions): SignatureAlgorithm | null {
    const curve = curveOfKey(key);
    if (!curve) return null;
    if (options.hash) throw new ProtectionError('badAlg', `${curve} takes no hash choice`);
    return eddsa(curve);
  },
});
