import type { Scheme } from './algorithms.js';
import { childrenOf, contents, equalBytes, oidContents, single, tlv, type Element } from './internal/der.js';
import { dataError } from './internal/errors.js';
import type { KeyMaterial } from './post-quantum-key.js';

const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;
const BIT_STRING = 0x03;
const OID = 0x06;
const INTEGER = 0x02;
const SEED = 0x80; // [0] IMPLICIT OCTET STRING

function algorithmIdentifier(scheme: Scheme): Uint8Array {
  return tlv(SEQUENCE, tlv(OID, oidContents(scheme.oid))); // parameters absent (RFC 9881 section 2)
}

function requireAlgorithm(der: Uint8Array, element: Element | undefined, scheme: Scheme): void {
  if (!element || element.tag !== SEQUENCE) throw dataError('malformed AlgorithmIdentifier');
  const expected = algorithmIdentifier(scheme);
  if (!equalBytes(der.subarray(element.start, element.end), expected)) {
    throw dataError(`the key is not an ${scheme.name} key (or its AlgorithmIdentifier has parameters)`);
  }
}

/** SubjectPublicKeyInfo with the raw public key in the BIT STRING (RFC 9881 section 4, ML-KEM likewise). */
export function encodeSpki(scheme: Scheme, publicKey: Uint8Array): Uint8Array {
  return tlv(SEQUENCE, algorithmIdentifier(scheme), tlv(BIT_STRING, Uint8Array.of(0), publicKey));
}

export function decodeSpki(scheme: Scheme, der: Uint8Array): Uint8Array {
  const spki = single(der, SEQUENCE);
  const [algorithm, key, extra] = childrenOf(der, spki);
  requireAlgorithm(der, algorithm, scheme);
  if (!key || key.tag !== BIT_STRING || extra) throw dataError('malformed SubjectPublicKeyInfo');
  const bits = contents(der, key);
  if (bits[0] !== 0) throw dataError('the public key BIT STRING has unused bits');
  return checkPublicKey(scheme, bits.subarray(1));
}

export function checkPublicKey(scheme: Scheme, publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== scheme.lengths.publicKey) {
    throw dataError(`an ${scheme.name} public key has ${scheme.lengths.publicKey} bytes, not ${publicKey.length}`);
  }
  return publicKey.slice();
}

/** Material of a private key generated from `seed`. */
export function fromSeed(scheme: Scheme, seed: Uint8Array): KeyMaterial {
  if (seed.length !== scheme.lengths.seed) throw dataError(`an ${scheme.name} seed has ${scheme.lengths.seed} bytes, not ${seed.length}`);
  const { publicKey, secretKey } = scheme.keygen(seed);
  return { scheme, publicKey, expandedKey: secretKey, seed: seed.slice() };
}

/**
 * OneAsymmetricKey (RFC 5958) with the private key as RFC 9881 section 6 / the LAMPS ML-KEM
 * specification define it:
 *
 * ```asn1
 * ML-DSA-PrivateKey ::= CHOICE {
 *   seed [0] OCTET STRING (SIZE (32)),
 *   expandedKey OCTET STRING (SIZE (2560 | 4032 | 4896)),
 *   both SEQUENCE { seed OCTET STRING (SIZE (32)), expandedKey OCTET STRING } }
 * ```
 *
 * (ML-KEM: a 64-byte seed; expanded keys of 1632, 2400 or 3168 bytes.) A key with its seed is
 * written in the seed form, which the specifications recommend; one without, as expandedKey.
 */
export function encodePkcs8(material: KeyMaterial): Uint8Array {
  const privateKey = material.seed ? tlv(SEED, material.seed) : tlv(OCTET_STRING, material.expandedKey!);
  return tlv(SEQUENCE, tlv(INTEGER, Uint8Array.of(0)), algorithmIdentifier(material.scheme), tlv(OCTET_STRING, privateKey));
}

export function decodePkcs8(scheme: Scheme, der: Uint8Array): KeyMaterial {
  const info = single(der, SEQUENCE);
  const [version, algorithm, key, ...rest] = childrenOf(der, info);
  const v = version && version.tag === INTEGER ? contents(der, version) : undefined;
  if (!v || v.length !== 1 || (v[0] !== 0 && v[0] !== 1)) throw dataError('malformed PKCS #8 version');
  requireAlgorithm(der, algorithm, scheme);
  if (!key || key.tag !== OCTET_STRING) throw dataError('malformed PKCS #8 privateKey');
  // [0] attributes and [1] publicKey may follow; the public key is checked against the private one.
  let publicKey: Uint8Array | undefined;
  for (const field of rest) {
    if (field.tag === 0x81) {
      const bits = contents(der, field);
      if (bits[0] !== 0) throw dataError('the PKCS #8 publicKey has unused bits');
      publicKey = checkPublicKey(scheme, bits.subarray(1));
    } else if (field.tag !== 0xa0) throw dataError('malformed PKCS #8');
  }
  const inner = contents(der, key);
  const choice = single(inner, inner[0] ?? -1);
  let material: KeyMaterial;
  if (choice.tag === SEED) {
    material = fromSeed(scheme, contents(inner, choice));
  } else if (choice.tag === OCTET_STRING) {
    material = expanded(scheme, contents(inner, choice), publicKey);
  } else if (choice.tag === SEQUENCE) {
    const [seed, expandedKey, extra] = childrenOf(inner, choice);
    if (seed?.tag !== OCTET_STRING || expandedKey?.tag !== OCTET_STRING || extra) throw dataError('malformed private key (both)');
    material = fromSeed(scheme, contents(inner, seed));
    if (!equalBytes(material.expandedKey!, contents(inner, expandedKey))) {
      throw dataError('the expanded private key does not belong to the seed');
    }
  } else {
    throw dataError(`malformed ${scheme.name} private key`);
  }
  if (publicKey && !equalBytes(publicKey, material.publicKey)) throw dataError('the PKCS #8 publicKey does not belong to the private key');
  return material;
}

function expanded(scheme: Scheme, expandedKey: Uint8Array, publicKey: Uint8Array | undefined): KeyMaterial {
  if (expandedKey.length !== scheme.lengths.expandedKey) {
    throw dataError(`an ${scheme.name} expanded private key has ${scheme.lengths.expandedKey} bytes, not ${expandedKey.length}`);
  }
  let derived: Uint8Array;
  try {
    derived = scheme.publicKeyOf(expandedKey);
  } catch (e) {
    throw dataError(`malformed ${scheme.name} expanded private key: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (publicKey && !equalBytes(derived, publicKey)) throw dataError('the PKCS #8 publicKey does not belong to the private key');
  return { scheme, publicKey: derived, expandedKey: expandedKey.slice() };
}
