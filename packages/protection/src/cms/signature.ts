import type { AlgorithmIdentifier } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { coordinateLength, hashLength, hashOfCurve, oidOfHash, type HashName, type NamedCurve } from './algorithms.js';
import type { CertificateFields } from './certificate-fields.js';
import { cmsOids } from './cms-oids.js';
import { algorithmIdentifier, contentsOf, explicit, sequence, smallInteger, TAG, topLevel, unsignedInteger } from './der.js';
import { concat } from '../internal/bytes.js';
import { namedCurveOf } from './key-agreement.js';
import { ML_DSA_OIDS } from '../algorithms/ml-dsa.js';
import { readRsaParameters, smallIntegerValue } from './rsa-parameters.js';
import { bufferOf, guard } from './webcrypto.js';

const ECDSA_OIDS: Readonly<Record<Exclude<HashName, 'SHA-1'>, string>> = {
  'SHA-256': cmsOids.ecdsa_with_SHA256,
  'SHA-384': cmsOids.ecdsa_with_SHA384,
  'SHA-512': cmsOids.ecdsa_with_SHA512,
};

const RSA_OIDS: Readonly<Record<Exclude<HashName, 'SHA-1'>, string>> = {
  'SHA-256': cmsOids.sha256WithRSAEncryption,
  'SHA-384': cmsOids.sha384WithRSAEncryption,
  'SHA-512': cmsOids.sha512WithRSAEncryption,
};

const NULL = Uint8Array.of(TAG.NULL, 0);

/** How a signer key signs: the identifiers to write and the WebCrypto parameters. */
export interface SignatureChoice {
  /** DigestAlgorithmIdentifier, DER. */
  digestAlgorithm: Uint8Array;
  digest: HashName;
  /** SignatureAlgorithmIdentifier, DER. */
  signatureAlgorithm: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

function sha2(hash: string | undefined, what: string): Exclude<HashName, 'SHA-1'> {
  if (hash === 'SHA-256' || hash === 'SHA-384' || hash === 'SHA-512') return hash;
  throw new ProtectionError('badAlg', `${what} with ${String(hash)} is not supported for SignedData`);
}

/** ECDSA r‖s (WebCrypto) to `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480). */
function ecdsaDer(raw: Uint8Array): Uint8Array {
  const n = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, n)), unsignedInteger(raw.subarray(n)));
}

/** ECDSA-Sig-Value to r‖s of the curve's size; undefined when malformed. */
function ecdsaRaw(der: Uint8Array, curve: NamedCurve): Uint8Array | undefined {
  try {
    const { element, children } = topLevel(der, 'ECDSA signature');
    const size = coordinateLength(curve);
    if (element.tag !== TAG.SEQUENCE || children.length !== 2) return undefined;
    const parts: Uint8Array[] = [];
    for (const child of children) {
      if (child.tag !== TAG.INTEGER) return undefined;
      let value = contentsOf(der, child);
      while (value.length > 1 && value[0] === 0) value = value.subarray(1);
      if (value.length > size) return undefined;
      parts.push(concat(new Uint8Array(size - value.length), value));
    }
    return concat(...parts);
  } catch {
    return undefined;
  }
}

/**
 * Chooses the signature algorithm for a SignedData signer from its key: ECDSA (SHA-256/384/512
 * matched to the curve unless `hash` says otherwise), RSASSA-PKCS1-v1_5 and RSASSA-PSS (the key's
 * hash), Ed25519 (with SHA-512 as digest algorithm, RFC 8419 section 3), ML-DSA (SHA-512,
 * RFC 9882).
 */
export function signatureChoice(crypto: Crypto, key: CryptoKey, hash?: HashName): SignatureChoice {
  const algorithm = key.algorithm as KeyAlgorithm & {
    namedCurve?: string;
    hash?: { name: string };
  };
  const sign =
    (params: AlgorithmIdentifierParams, transform: (s: Uint8Array) => Uint8Array = (s) => s) =>
    (data: Uint8Array) =>
      guard(
        async () => transform(new Uint8Array(await crypto.subtle.sign(params, key, bufferOf(data)))),
        'badAlg',
        `signing with ${algorithm.name} failed`,
      );
  switch (algorithm.name) {
    case 'ECDSA': {
      const curve = algorithm.namedCurve;
      if (curve !== 'P-256' && curve !== 'P-384' && curve !== 'P-521') {
        throw new ProtectionError('badAlg', `ECDSA on ${String(curve)} is not supported`);
      }
      const digest = sha2(hash ?? hashOfCurve(curve), 'ECDSA');
      return {
        digest,
        digestAlgorithm: algorithmIdentifier(oidOfHash(digest)),
        signatureAlgorithm: algorithmIdentifier(ECDSA_OIDS[digest]),
        sign: sign({ name: 'ECDSA', hash: digest }, ecdsaDer),
      };
    }
    case 'RSASSA-PKCS1-v1_5': {
      const digest = sha2(algorithm.hash?.name, 'RSASSA-PKCS1-v1_5');
      return {
        digest,
        digestAlgorithm: algorithmIdentifier(oidOfHash(digest)),
        signatureAlgorithm: algorithmIdentifier(RSA_OIDS[digest], NULL),
        sign: sign({ name: 'RSASSA-PKCS1-v1_5' }),
      };
    }
    case 'RSA-PSS': {
      const digest = sha2(algorithm.hash?.name, 'RSASSA-PSS');
      const hashId = algorithmIdentifier(oidOfHash(digest));
      const params = sequence(
        explicit(0, hashId),
        explicit(1, algorithmIdentifier(cmsOids.id_mgf1, hashId)),
        explicit(2, smallInteger(hashLength(digest))),
      );
      return {
        digest,
        digestAlgorithm: hashId,
        signatureAlgorithm: algorithmIdentifier(cmsOids.id_RSASSA_PSS, params),
        sign: sign({ name: 'RSA-PSS', saltLength: hashLength(digest) } as RsaPssParams),
      };
    }
    case 'Ed25519':
      return {
        digest: 'SHA-512',
        digestAlgorithm: algorithmIdentifier(cmsOids.id_sha512),
        signatureAlgorithm: algorithmIdentifier(cmsOids.id_Ed25519),
        sign: sign({ name: 'Ed25519' }),
      };
    case 'ML-DSA-44':
    case 'ML-DSA-65':
    case 'ML-DSA-87':
      // RFC 9882 section 3.3: SHA-512 as the digest algorithm with every ML-DSA parameter set.
      return {
        digest: 'SHA-512',
        digestAlgorithm: algorithmIdentifier(cmsOids.id_sha512),
        signatureAlgorithm: algorithmIdentifier(ML_DSA_OIDS[algorithm.name]),
        sign: sign({ name: algorithm.name }),
      };
    default:
      throw new ProtectionError('badAlg', `${algorithm.name} keys cannot sign SignedData here`);
  }
}

type AlgorithmIdentifierParams = Algorithm | EcdsaParams | RsaPssParams;

/** RSASSA-PSS-params (RFC 4055 section 3.1): hash, salt length, trailerField 1. */
function pssParameters(der: Uint8Array | undefined): { hash: HashName; saltLength: number } {
  const params = readRsaParameters(der, 'RSASSA-PSS parameters');
  if (params.field3 && smallIntegerValue(params.field3) !== 1) throw new ProtectionError('badAlg', 'PSS trailerField must be 1');
  return { hash: params.hash, saltLength: params.field2 ? smallIntegerValue(params.field2) : 20 };
}

/**
 * Verifies `signature` over `data` with the public key of `signer` under `signatureAlgorithm`
 * (`digest` is the SignerInfo's digest algorithm, needed when the signature algorithm is plain
 * rsaEncryption as OpenSSL writes it).
 * Unsupported algorithms throw ProtectionError(badAlg); a bad signature returns false.
 */
export async function verifySignature(
  crypto: Crypto,
  signer: CertificateFields,
  signatureAlgorithm: AlgorithmIdentifier,
  data: Uint8Array,
  signature: Uint8Array,
  digest: HashName,
): Promise<boolean> {
  const oid = signatureAlgorithm.algorithm;
  const spki = bufferOf(signer.subjectPublicKeyInfo);
  let importParams: Algorithm | EcKeyImportParams | RsaHashedImportParams;
  let verifyParams: AlgorithmIdentifierParams;
  let value = signature;
  const mlDsa = (Object.entries(ML_DSA_OIDS) as [string, string][]).find(([, o]) => o === oid)?.[0];
  const ecdsaHash = (Object.entries(ECDSA_OIDS) as [HashName, string][]).find(([, o]) => o === oid)?.[0];
  // RFC 3370 section 3.2: rsaEncryption as signatureAlgorithm means PKCS #1 v1.5 with the digestAlgorithm's hash
  const rsaHash =
    oid === cmsOids.rsaEncryption ? digest : (Object.entries(RSA_OIDS) as [HashName, string][]).find(([, o]) => o === oid)?.[0];
  if (ecdsaHash) {
    if (signer.publicKeyAlgorithm.algorithm !== cmsOids.id_ecPublicKey) return false;
    const curve = namedCurveOf(signer.publicKeyAlgorithm.parameters?.der);
    if (!curve) throw new ProtectionError('badAlg', 'the signer key is not on a named curve');
    const raw = ecdsaRaw(signature, curve);
    if (!raw) return false;
    value = raw;
    importParams = { name: 'ECDSA', namedCurve: curve } as EcKeyImportParams;
    verifyParams = { name: 'ECDSA', hash: ecdsaHash } as EcdsaParams;
  } else if (rsaHash) {
    importParams = { name: 'RSASSA-PKCS1-v1_5', hash: rsaHash } as RsaHashedImportParams;
    verifyParams = { name: 'RSASSA-PKCS1-v1_5' };
  } else if (oid === cmsOids.id_RSASSA_PSS) {
    const pss = pssParameters(signatureAlgorithm.parameters?.der);
    importParams = { name: 'RSA-PSS', hash: pss.hash } as RsaHashedImportParams;
    verifyParams = { name: 'RSA-PSS', saltLength: pss.saltLength } as RsaPssParams;
  } else if (oid === cmsOids.id_Ed25519) {
    importParams = { name: 'Ed25519' };
    verifyParams = { name: 'Ed25519' };
  } else if (mlDsa) {
    if (signer.publicKeyAlgorithm.algorithm !== oid) return false;
    importParams = { name: mlDsa };
    verifyParams = { name: mlDsa };
  } else {
    throw new ProtectionError('badAlg', `unsupported signature algorithm ${oid}`);
  }
  const key = await guard(
    () => crypto.subtle.importKey('spki', spki, importParams, false, ['verify']),
    'badAlg',
    `the signer's public key does not fit ${oid}`,
  );
  return guard(
    () => crypto.subtle.verify(verifyParams, key, bufferOf(value), bufferOf(data)),
    'badMessageCheck',
    'signature verification failed',
  );
}
