import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { encodePem, oids } from '@cmpkit/codec';
import { keyGenParams } from '@cmpkit/issuer';
import type { Pkcs11Keys, TokenKeyAlgorithm } from '@cmpkit/pkcs11';
import { importPrivateKey, parseCertificate } from '@cmpkit/protection';
import { ConfigError } from '../config/config-error.js';
import { pemBlocks } from './pem.js';
import type { ServerConfig } from '../config/server-config.js';

/**
 * Where the server's private keys come from: PEM files, or PKCS#11 tokens by `pkcs11:` URI. The
 * tokens are opened on the first URI; {@link crypto} then signs with their keys on the token.
 */
export interface KeySource {
  /** The `crypto` to run the CA and the CMP engine on: the base one, routing token keys to their token. */
  readonly crypto: Crypto;
  /**
   * The signing key of `certificate` from `reference` (a PEM file or a `pkcs11:` URI), checked
   * to be the private half of the certificate's public key.
   *
   * @throws ConfigError naming `setting` and the file or URI.
   */
  signingKey(reference: string, certificate: Uint8Array, setting: string): Promise<CryptoKey>;
  /**
   * A new key pair of `spec` (`ec:P-256`, `rsa:3072`, ...) at `reference`: generated on the token
   * (sensitive, never extractable) for a `pkcs11:` URI, else in software and written to the file
   * as PKCS#8 (mode 0600, never over an existing file).
   */
  generate(reference: string, spec: string, setting: string): Promise<CryptoKeyPair>;
  /** The key pair at `reference` (a PEM file, or a token's private and public key). */
  keyPair(reference: string, setting: string): Promise<CryptoKeyPair>;
  /** The PKCS#11 tokens, once a URI was used. */
  readonly pkcs11: Pkcs11Keys | undefined;
  /** Closes the token sessions. */
  close(): void;
}

/** The DER of the namedCurve OIDs (RFC 5480) of the curves a token key may be on. */
const CURVES: Record<string, string> = {
  '06082a8648ce3d030107': 'P-256',
  '06052b81040022': 'P-384',
  '06052b81040023': 'P-521',
};

function curveName(parametersDer: Uint8Array): string | undefined {
  return CURVES[Array.from(parametersDer, (b) => b.toString(16).padStart(2, '0')).join('')];
}

/** True for a `pkcs11:` URI (RFC 7512), false for a file name. */
export function isPkcs11Uri(reference: string): boolean {
  return /^pkcs11:/i.test(reference);
}

/** The WebCrypto algorithm a token key of this certificate signs with. */
export function tokenAlgorithmOf(certificate: Uint8Array): TokenKeyAlgorithm {
  const spki = parseCertificate(certificate).subjectPublicKeyInfo;
  if (spki.algorithm.algorithm === oids.rsaEncryption) return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (spki.algorithm.algorithm === oids.id_ecPublicKey) {
    const curve = spki.algorithm.parameters && curveName(spki.algorithm.parameters.der);
    if (curve) return { name: 'ECDSA', namedCurve: curve };
  }
  throw new ConfigError('a key in a PKCS#11 token must be ECDSA (P-256, P-384, P-521) or RSA');
}

/** A key source for the configuration's `pkcs11` settings; `crypto` is the base for everything else. */
export function createKeySource(
  config: Pick<ServerConfig, 'pkcs11'>,
  crypto: Crypto,
  readPin: (ref: string) => Promise<string>,
): KeySource {
  let pkcs11: Pkcs11Keys | undefined;
  const tokens = async (): Promise<Pkcs11Keys> => {
    if (!pkcs11) {
      const pin =
        config.pkcs11.pin === null
          ? undefined
          : await readPin(config.pkcs11.pin).catch((cause: unknown) => {
              throw new ConfigError(`pkcs11.pin: ${(cause as Error).message}`, { cause });
            });
      // Loaded on first use: the native PKCS#11 binding is needed only by servers with keys in a token.
      const { openPkcs11 } = await import('@cmpkit/pkcs11');
      pkcs11 = openPkcs11({
        ...(config.pkcs11.module === null ? {} : { module: config.pkcs11.module }),
        ...(pin === undefined ? {} : { pin }),
        crypto,
      });
    }
    return pkcs11;
  };
  return {
    get crypto() {
      return pkcs11?.crypto ?? crypto;
    },
    get pkcs11() {
      return pkcs11;
    },
    async signingKey(reference, certificate, setting) {
      let key: CryptoKey;
      if (isPkcs11Uri(reference)) {
        const keys = await tokens();
        try {
          key = await keys.privateKey(reference, tokenAlgorithmOf(certificate));
        } catch (cause) {
          if (cause instanceof Error && cause.name === 'Pkcs11Error') throw new ConfigError(`${setting}: ${cause.message}`, { cause });
          throw cause;
        }
      } else {
        key = await readKeyFile(reference, setting, crypto);
      }
      if (!(await keyMatches(key, certificate, pkcs11?.crypto ?? crypto))) {
        throw new ConfigError(`${setting}: the key ${reference} is not the key of the certificate it goes with`);
      }
      return key;
    },
    async generate(reference, spec, setting) {
      const gen = keyGenParams(spec);
      if (!gen || !gen.usages.includes('sign')) throw new ConfigError(`${setting}: '${spec}' is not a signature key algorithm`);
      if (isPkcs11Uri(reference)) {
        const keys = await tokens();
        try {
          return await keys.generateKeyPair(reference, gen.params as EcKeyGenParams | RsaHashedKeyGenParams);
        } catch (cause) {
          if (cause instanceof Error && cause.name === 'Pkcs11Error') throw new ConfigError(`${setting}: ${cause.message}`, { cause });
          throw cause;
        }
      }
      const pair = (await crypto.subtle.generateKey(gen.params, true, gen.usages)) as CryptoKeyPair;
      const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
      await writeFile(reference, encodePem('PRIVATE KEY', pkcs8), { mode: 0o600, flag: 'wx' }).catch((cause: Error) => {
        throw new ConfigError(`${setting}: cannot write ${reference}: ${cause.message}`, { cause });
      });
      return pair;
    },
    async keyPair(reference, setting) {
      if (isPkcs11Uri(reference)) {
        const keys = await tokens();
        try {
          return { privateKey: await keys.privateKey(reference), publicKey: await keys.publicKey(reference) };
        } catch (cause) {
          if (cause instanceof Error && cause.name === 'Pkcs11Error') throw new ConfigError(`${setting}: ${cause.message}`, { cause });
          throw cause;
        }
      }
      const text = await readFile(reference, 'utf8').catch((cause: Error) => {
        throw new ConfigError(`${setting}: cannot read ${reference}: ${cause.message}`, { cause });
      });
      const privateKey = createPrivateKey(text);
      const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
      const signing = await readKeyFile(reference, setting, crypto);
      const params = signParams(signing);
      if (!params) throw new ConfigError(`${setting}: ${reference} holds a key this server cannot sign with`);
      return { privateKey: signing, publicKey: await crypto.subtle.importKey('spki', spki, params.import, true, ['verify']) };
    },
    close() {
      pkcs11?.close();
    },
  };
}

/**
 * A PEM private key file: PKCS#8 (`openssl genpkey`, `openssl req -newkey`), or a traditional
 * SEC1 EC or PKCS#1 RSA key (`openssl ecparam -genkey`, `openssl genrsa`), converted on the way.
 */
async function readKeyFile(path: string, setting: string, crypto: Crypto): Promise<CryptoKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`${setting}: cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (text.includes('ENCRYPTED')) {
    throw new ConfigError(`${setting}: ${path} is encrypted; decrypt it (openssl pkey -in KEY -out PLAIN) or keep the key in an HSM`);
  }
  // PKCS#8 as it is (node:crypto on Node 20 does not know ML-DSA keys); traditional forms through node:crypto.
  let pkcs8 = pemBlocks(text, 'PRIVATE KEY')[0];
  if (!pkcs8) {
    try {
      pkcs8 = new Uint8Array(createPrivateKey(text).export({ type: 'pkcs8', format: 'der' }));
    } catch (cause) {
      throw new ConfigError(`${setting}: ${path} holds no private key in PEM: ${(cause as Error).message}`, { cause });
    }
  }
  try {
    return await importPrivateKey(pkcs8, { crypto });
  } catch (cause) {
    throw new ConfigError(`${setting}: the key in ${path} cannot sign here: ${(cause as Error).message}`, { cause });
  }
}

/** Whether `key` signs what the certificate's public key verifies (a probe signature). */
async function keyMatches(key: CryptoKey, certificate: Uint8Array, crypto: Crypto): Promise<boolean> {
  const params = signParams(key);
  if (!params) return false;
  const spki = parseCertificate(certificate).subjectPublicKeyInfoDer;
  try {
    const publicKey = await crypto.subtle.importKey('spki', new Uint8Array(spki), params.import, false, ['verify']);
    const probe = new TextEncoder().encode('cmpkit key check');
    const signature = await crypto.subtle.sign(params.sign, key, probe);
    return await crypto.subtle.verify(params.sign, publicKey, signature, probe);
  } catch {
    return false;
  }
}

function signParams(key: CryptoKey): { sign: Algorithm | EcdsaParams | RsaPssParams; import: Algorithm } | undefined {
  const algorithm = key.algorithm as EcKeyAlgorithm & RsaHashedKeyAlgorithm;
  const hash = typeof algorithm.hash === 'string' ? algorithm.hash : algorithm.hash?.name;
  switch (algorithm.name) {
    case 'ECDSA':
      return {
        sign: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
        import: { name: 'ECDSA', namedCurve: algorithm.namedCurve } as EcKeyImportParams,
      };
    case 'RSASSA-PKCS1-v1_5':
      return { sign: { name: algorithm.name }, import: { name: algorithm.name, hash } as RsaHashedImportParams };
    case 'RSA-PSS':
      return { sign: { name: 'RSA-PSS', saltLength: 32 } as RsaPssParams, import: { name: algorithm.name, hash } as RsaHashedImportParams };
    case 'Ed25519':
    case 'Ed448':
    case 'ML-DSA-44':
    case 'ML-DSA-65':
    case 'ML-DSA-87':
      return { sign: { name: algorithm.name }, import: { name: algorithm.name } };
    default:
      return undefined;
  }
}
