import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { decodeAlgorithmIdentifier, decodePem, encodePem, oids, type AlgorithmIdentifier } from '@cmpkit/codec';
import { postQuantumAlgorithms, withPostQuantum } from '@cmpkit/pq-crypto';
import { CliError } from './cli-error.js';
import { FileError, readInputFile, writeOutputFile } from './files.js';

/** ML-DSA (FIPS 204) and ML-KEM (FIPS 203) keys by spec (`ml-dsa-65`, `ml-kem-768`, ...). */
const POST_QUANTUM: Record<string, { name: string; oid: string; kem: boolean }> = Object.fromEntries(
  postQuantumAlgorithms.map((a) => [a.name.toLowerCase(), { name: a.name, oid: a.oid, kem: a.kind === 'kem' }]),
);
const KEM_USAGES = { private: ['decapsulateBits'], public: ['encapsulateBits'] } as unknown as { private: KeyUsage[]; public: KeyUsage[] };

/** WebCrypto with ML-DSA and ML-KEM (Node's own where it has them, else pure JS). */
const pqCrypto = withPostQuantum(webcrypto as unknown as Crypto);

/** The post-quantum algorithm of a PKCS#8 key, if it is one (Node 20's key parser knows none). */
function postQuantumOfPkcs8(der: Uint8Array): (typeof POST_QUANTUM)[string] | undefined {
  try {
    // OneAsymmetricKey: SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier, ... }
    const versionEnd = 2 + (der[1]! & 0x80 ? der[1]! & 0x7f : 0) + 3;
    const algorithm = der.subarray(versionEnd, versionEnd + 2 + der[versionEnd + 1]!);
    const oid = decodeAlgorithmIdentifier(algorithm).algorithm;
    return Object.values(POST_QUANTUM).find((pq) => pq.oid === oid);
  } catch {
    return undefined;
  }
}

/** An ML-DSA or ML-KEM key pair from PKCS#8 (the public key is derived from the private key). */
async function readPostQuantumKeyPair(pkcs8: Uint8Array, pq: (typeof POST_QUANTUM)[string]): Promise<CryptoKeyPair> {
  const subtle = pqCrypto.subtle as SubtleCrypto & { getPublicKey(key: CryptoKey, usages: KeyUsage[]): Promise<CryptoKey> };
  const privateKey = await subtle.importKey('pkcs8', pkcs8.slice(), pq.name, true, pq.kem ? KEM_USAGES.private : ['sign']);
  const publicKey = await subtle.getPublicKey(privateKey, pq.kem ? KEM_USAGES.public : ['verify']);
  return { privateKey, publicKey };
}

type Algorithm = RsaHashedImportParams | EcKeyImportParams | { name: 'Ed25519' | 'Ed448' };

/** The WebCrypto signing parameters for a Node key. */
function algorithmOf(key: KeyObject): Algorithm {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const namedCurve = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : undefined;
      if (!namedCurve) throw new CliError(`unsupported EC curve ${curve}`);
      return { name: 'ECDSA', namedCurve };
    }
    case 'rsa':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    case 'ed25519':
      return { name: 'Ed25519' };
    case 'ed448':
      return { name: 'Ed448' };
    default:
      throw new CliError(`unsupported key type ${key.asymmetricKeyType}`);
  }
}

/** Why node:crypto could not read a private key, in words for the user. */
function keyProblem(error: unknown, encrypted: boolean, passwordOption: string, passphrase: string | undefined): string {
  const code = (error as NodeJS.ErrnoException).code;
  const text = error instanceof Error ? error.message : String(error);
  if (passphrase === undefined && (encrypted || code === 'ERR_MISSING_PASSPHRASE'))
    return `the key is encrypted: give its password with ${passwordOption}`;
  if (passphrase !== undefined && /bad decrypt|decrypt/i.test(text))
    return `the key does not decrypt with the password of ${passwordOption}`;
  return 'not a private key (PEM or DER: PKCS#8, SEC1 or PKCS#1)';
}

/**
 * A signing key pair from the private key file `path` that `option` names (PEM or DER; PKCS#8,
 * SEC1 or PKCS#1), decrypted with `passphrase` when given (from `passwordOption`). A file that
 * cannot be read or holds no usable key is refused naming it.
 */
export async function readKeyPair(option: string, path: string, passphrase?: string, passwordOption = '--keypass'): Promise<CryptoKeyPair> {
  const data = Buffer.from(await readInputFile(option, path));
  const isPem = data.includes('-----BEGIN');
  const unencrypted = isPem ? decodePem(data.toString('utf8')).find((b) => b.label === 'PRIVATE KEY')?.der : new Uint8Array(data);
  const pq = unencrypted && postQuantumOfPkcs8(unencrypted);
  if (unencrypted && pq) {
    try {
      return await readPostQuantumKeyPair(unencrypted, pq);
    } catch (error) {
      throw new FileError(path, `${option} ${path}: not a valid ${pq.name} private key`, { cause: error });
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: data,
      format: isPem ? 'pem' : 'der',
      ...(isPem ? {} : { type: 'pkcs8' }),
      ...(passphrase ? { passphrase } : {}),
    });
  } catch (error) {
    const encrypted = data.includes('ENCRYPTED');
    throw new FileError(path, `${option} ${path}: ${keyProblem(error, encrypted, passwordOption, passphrase)}`, { cause: error });
  }
  if (key.type !== 'private') throw new FileError(path, `${option} ${path}: a ${key.type} key, not a private key`);
  let algorithm: Algorithm;
  try {
    algorithm = algorithmOf(key);
  } catch (error) {
    throw new FileError(path, `${option} ${path}: ${(error as Error).message}`, { cause: error });
  }
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const subtle = webcrypto.subtle as SubtleCrypto;
  const privateKey = await subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign']);
  const publicKey = await subtle.importKey('spki', spki, algorithm, true, ['verify']);
  return { privateKey, publicKey };
}

/** Generates a key pair from a spec like `ec:P-256`, `ec:P-384`, `rsa:2048`, `ed25519`, `ml-dsa-65`, `ml-kem-768`. */
export async function generateKeyPair(spec: string): Promise<CryptoKeyPair> {
  const pq = POST_QUANTUM[spec.toLowerCase()];
  if (pq) {
    const usages = pq.kem ? [...KEM_USAGES.public, ...KEM_USAGES.private] : (['sign', 'verify'] as KeyUsage[]);
    return (await pqCrypto.subtle.generateKey(pq.name as never, true, usages as never)) as CryptoKeyPair;
  }
  const [kind, param] = spec.toLowerCase().split(':');
  const subtle = webcrypto.subtle as SubtleCrypto;
  const usages: KeyUsage[] = ['sign', 'verify'];
  switch (kind) {
    case 'ec': {
      const namedCurve = {
        'p-256': 'P-256',
        'p-384': 'P-384',
        'p-521': 'P-521',
        prime256v1: 'P-256',
        secp384r1: 'P-384',
        secp521r1: 'P-521',
      }[param ?? 'p-256'];
      if (!namedCurve) throw new CliError(`unknown curve '${param}' (use P-256, P-384 or P-521)`);
      return (await subtle.generateKey({ name: 'ECDSA', namedCurve }, true, usages)) as CryptoKeyPair;
    }
    case 'rsa': {
      const bits = Number(param ?? '2048');
      if (!Number.isInteger(bits) || bits < 2048 || bits > 8192) throw new CliError(`RSA key size '${param}' must be 2048..8192`);
      return (await subtle.generateKey(
        { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' },
        true,
        usages,
      )) as CryptoKeyPair;
    }
    case 'ed25519':
      return (await subtle.generateKey({ name: 'Ed25519' }, true, usages)) as CryptoKeyPair;
    default:
      throw new CliError(
        `--newkey '${spec}' is neither a key file nor ec:CURVE, rsa:BITS, ed25519, ml-dsa-44|65|87 or ml-kem-512|768|1024`,
      );
  }
}

/** True for a key spec (`ec:P-256`, `rsa:2048`, `ed25519`, `ml-dsa-65`, `ml-kem-768`) rather than a key file name. */
export function isKeySpec(value: string): boolean {
  return /^(ec|rsa)(:|$)|^ed25519$/i.test(value) || POST_QUANTUM[value.toLowerCase()] !== undefined;
}

/** DER of the namedCurve OIDs (RFC 5480) the specs name. */
const CURVE_OIDS: Record<string, Uint8Array> = {
  'p-256': Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07),
  'p-384': Uint8Array.of(0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22),
  'p-521': Uint8Array.of(0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23),
};

/**
 * The key algorithm a spec names, for a central key generation request (the template's
 * publicKey.algorithm): `ec:P-256` is id-ecPublicKey with the curve, `rsa[:BITS]` rsaEncryption
 * (the size cannot be said there), `ed25519` id-Ed25519.
 */
export function keyAlgorithmOf(spec: string): AlgorithmIdentifier {
  const pq = POST_QUANTUM[spec.toLowerCase()];
  if (pq) return { algorithm: pq.oid };
  const [kind, param] = spec.toLowerCase().split(':');
  switch (kind) {
    case 'ec': {
      const alias: Record<string, string> = { prime256v1: 'p-256', secp384r1: 'p-384', secp521r1: 'p-521' };
      const curve = CURVE_OIDS[alias[param ?? ''] ?? param ?? 'p-256'];
      if (!curve) throw new CliError(`unknown curve '${param}' (use P-256, P-384 or P-521)`);
      return { algorithm: oids.id_ecPublicKey, parameters: { der: curve } };
    }
    case 'rsa':
      return { algorithm: oids.rsaEncryption, parameters: { der: Uint8Array.of(0x05, 0x00) } };
    case 'ed25519':
      return { algorithm: oids.id_Ed25519 };
    default:
      throw new CliError(`'${spec}' is not a key spec (ec:CURVE, rsa:BITS or ed25519)`);
  }
}

/** Writes a private key as PKCS#8 PEM (mode 0600) to the file `option` names. */
export async function writePrivateKey(option: string, path: string, privateKey: CryptoKey | Uint8Array): Promise<void> {
  const der = privateKey instanceof Uint8Array ? privateKey : new Uint8Array(await pqCrypto.subtle.exportKey('pkcs8', privateKey));
  await writeOutputFile(option, path, encodePem('PRIVATE KEY', der), 0o600);
}
