import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { oids } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import { arrayBufferOf, bufferSource, concatBytes, tlv, unsignedIntegerContents } from './der.js';

/** Signs TBS structures with a CA key. */
export interface Signer {
  /** The signature AlgorithmIdentifier written into certificates and CRLs. */
  readonly algorithm: AlgorithmIdentifier;
  /** {@link algorithm} as DER. */
  readonly algorithmDer: Uint8Array;
  /** The signature value as it goes into the BIT STRING (ECDSA as DER Ecdsa-Sig-Value). */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** True when `spki` (DER SubjectPublicKeyInfo) is the public half of this signer's key. */
  matches(spki: Uint8Array): Promise<boolean>;
}

interface HashInfo {
  oid: string;
  bytes: number;
}

const HASHES: Record<string, HashInfo> = {
  'SHA-256': { oid: oids.id_sha256, bytes: 32 },
  'SHA-384': { oid: oids.id_sha384, bytes: 48 },
  'SHA-512': { oid: oids.id_sha512, bytes: 64 },
};

const ECDSA_HASH: Record<string, { hash: string; oid: string }> = {
  'P-256': { hash: 'SHA-256', oid: oids.ecdsa_with_SHA256 },
  'P-384': { hash: 'SHA-384', oid: oids.ecdsa_with_SHA384 },
  'P-521': { hash: 'SHA-512', oid: oids.ecdsa_with_SHA512 },
};

const RSA_PKCS1_OID: Record<string, string> = {
  'SHA-256': oids.sha256WithRSAEncryption,
  'SHA-384': oids.sha384WithRSAEncryption,
  'SHA-512': oids.sha512WithRSAEncryption,
};

const ML_DSA_OIDS: Record<string, string> = {
  'ML-DSA-44': oids.id_ml_dsa_44,
  'ML-DSA-65': oids.id_ml_dsa_65,
  'ML-DSA-87': oids.id_ml_dsa_87,
};

const NULL_DER = Uint8Array.of(0x05, 0x00);

type WebCryptoParams = Algorithm | EcdsaParams | RsaPssParams | EcKeyImportParams | RsaHashedImportParams;

function hashName(algorithm: KeyAlgorithm): string {
  const hash = (algorithm as RsaHashedKeyAlgorithm).hash;
  return typeof hash === 'string' ? hash : (hash?.name ?? '');
}

function hashAlgorithmIdentifier(hash: HashInfo): AlgorithmIdentifier {
  return new AlgorithmIdentifier({ algorithm: hash.oid, parameters: arrayBufferOf(NULL_DER) });
}

function ecdsaDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return tlv(
    0x30,
    concatBytes([tlv(0x02, unsignedIntegerContents(raw.subarray(0, half))), tlv(0x02, unsignedIntegerContents(raw.subarray(half)))]),
  );
}

function unsupported(): never {
  throw new IssuanceError(
    'systemFailure',
    'the CA key is of an algorithm this CA cannot sign with (supported: ECDSA P-256/P-384/P-521, RSASSA-PKCS1-v1_5, RSA-PSS, Ed25519, Ed448, ML-DSA-44/65/87)',
  );
}

/**
 * The Signer for a WebCrypto private key: ECDSA (the curve's hash: P-256 with SHA-256, P-384
 * with SHA-384, P-521 with SHA-512), RSASSA-PKCS1-v1_5 and RSA-PSS with the key's hash
 * (SHA-256/384/512; PSS with MGF1 of the same hash and a salt of the hash length, RFC 9481
 * section 3.2), Ed25519 and Ed448 (either WebCrypto spelling: `Ed25519` or `EdDSA` with
 * `namedCurve`), ML-DSA-44/65/87 (RFC 9881; the injected crypto must offer them, e.g. through
 * `withPostQuantum` of `@cmpkit/pq-crypto`).
 */
export function signerFor(key: CryptoKey, crypto: Crypto): Signer {
  if (key.type !== 'private') throw new IssuanceError('systemFailure', 'the CA key must be a private key');
  const alg = key.algorithm;
  let algorithm: AlgorithmIdentifier;
  let signParams: WebCryptoParams;
  let importParams: WebCryptoParams;
  let der = false;
  switch (alg.name) {
    case 'ECDSA': {
      const curve = (alg as EcKeyAlgorithm).namedCurve;
      const info = ECDSA_HASH[curve];
      if (!info) return unsupported();
      algorithm = new AlgorithmIdentifier({ algorithm: info.oid });
      signParams = { name: 'ECDSA', hash: info.hash } as EcdsaParams;
      importParams = { name: 'ECDSA', namedCurve: curve } as EcKeyImportParams;
      der = true;
      break;
    }
    case 'RSASSA-PKCS1-v1_5': {
      const hash = hashName(alg);
      const oid = RSA_PKCS1_OID[hash];
      if (!oid) return unsupported();
      algorithm = new AlgorithmIdentifier({ algorithm: oid, parameters: arrayBufferOf(NULL_DER) });
      signParams = { name: alg.name };
      importParams = { name: alg.name, hash } as RsaHashedImportParams;
      break;
    }
    case 'RSA-PSS': {
      const hash = hashName(alg);
      const info = HASHES[hash];
      if (!info) return unsupported();
      const params = new RsaSaPssParams({
        hashAlgorithm: hashAlgorithmIdentifier(info),
        maskGenAlgorithm: new AlgorithmIdentifier({
          algorithm: oids.id_mgf1,
          parameters: AsnConvert.serialize(hashAlgorithmIdentifier(info)),
        }),
        saltLength: info.bytes,
      });
      algorithm = new AlgorithmIdentifier({ algorithm: oids.id_RSASSA_PSS, parameters: AsnConvert.serialize(params) });
      signParams = { name: 'RSA-PSS', saltLength: info.bytes } as RsaPssParams;
      importParams = { name: 'RSA-PSS', hash } as RsaHashedImportParams;
      break;
    }
    case 'Ed25519':
    case 'Ed448':
    case 'EdDSA': {
      const curve = alg.name === 'EdDSA' ? (alg as EcKeyAlgorithm).namedCurve : alg.name;
      if (curve !== 'Ed25519' && curve !== 'Ed448') return unsupported();
      algorithm = new AlgorithmIdentifier({ algorithm: curve === 'Ed25519' ? oids.id_Ed25519 : oids.id_Ed448 });
      signParams = { name: alg.name };
      importParams = alg.name === 'EdDSA' ? ({ name: 'EdDSA', namedCurve: curve } as EcKeyImportParams) : { name: curve };
      break;
    }
    case 'ML-DSA-44':
    case 'ML-DSA-65':
    case 'ML-DSA-87': {
      // RFC 9881: the OID alone, parameters absent; the signature is the raw FIPS 204 encoding.
      algorithm = new AlgorithmIdentifier({ algorithm: ML_DSA_OIDS[alg.name] as string });
      signParams = { name: alg.name };
      importParams = { name: alg.name };
      break;
    }
    default:
      return unsupported();
  }

  const rawSign = async (data: Uint8Array): Promise<Uint8Array> =>
    new Uint8Array(await crypto.subtle.sign(signParams, key, bufferSource(data)));

  return {
    algorithm,
    algorithmDer: new Uint8Array(AsnConvert.serialize(algorithm)),
    async sign(data) {
      const raw = await rawSign(data);
      return der ? ecdsaDer(raw) : raw;
    },
    async matches(spki) {
      try {
        const publicKey = await crypto.subtle.importKey('spki', bufferSource(spki), importParams, false, ['verify']);
        const probe = new TextEncoder().encode('cmpkit ca key check');
        const signature = await rawSign(probe);
        return await crypto.subtle.verify(signParams, publicKey, bufferSource(signature), probe);
      } catch {
        return false;
      }
    },
  };
}
