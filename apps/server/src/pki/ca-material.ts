import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  type CertificateAuthority,
  type CertificateProfile,
} from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, encodePem, oids, parseName } from '@cmpkit/codec';
import { keyGenParams } from '@cmpkit/issuer';

/** A certificate with its private key and the certificates above it (issuer first, up to the root). */
export interface Credential {
  certificate: Uint8Array;
  privateKey: CryptoKey;
  chain: Uint8Array[];
}

/**
 * The server's PKI: a root CA, the issuing CA below it (possibly with intermediates between), and
 * the CMP server's protection credential (its own certificate, or the issuing CA's).
 */
export interface CaMaterial {
  /** The root CA; its private key only right after generation (the server never loads it). */
  root: { certificate: Uint8Array; privateKey?: CryptoKey };
  /**
   * Root certificates replaced by `ca rollover`, newest first: still trust anchors for requests
   * (until they expire), so end entities that have not updated yet keep working.
   */
  previousRoots: Uint8Array[];
  /**
   * The link certificates of the rollovers (newWithOld, oldWithNew), sent with responses so that
   * an end entity that trusts either root finds a path.
   */
  links: Uint8Array[];
  /** The issuing CA; `chain` runs up to the root, followed by the rollover links. */
  issuing: Credential;
  /**
   * Signs CMP responses and announcements: certified by the issuing CA with extKeyUsage
   * id-kp-cmcCA, or the issuing CA's own credential (`ca.cmpCredential: "ca"`).
   */
  cmpServer: Credential;
  /**
   * The CMP server's ML-KEM-768 key and certificate, made for a post-quantum (ML-DSA) CA: end
   * entities encapsulate to it and get KEM-based MAC protected responses (RFC 9810 5.1.3.4).
   */
  cmpServerKem?: Credential;
}

/** How the CA material is generated on first start. */
export interface CaSetup {
  /** Key algorithm of all three keys, e.g. `ec:P-256`, `rsa:3072`, `ed25519`. */
  keyAlgorithm: string;
  rootSubject: string;
  issuingSubject: string;
  serverSubject: string;
  rootValidityDays: number;
  issuingValidityDays: number;
  serverValidityDays: number;
}

/** The files of the CA material inside the data directory (PEM; keys are PKCS#8, mode 0600). */
export const CA_FILES = Object.freeze({
  rootCertificate: 'root-ca.pem',
  rootKey: 'root-ca.key.pem',
  issuingCertificate: 'issuing-ca.pem',
  issuingKey: 'issuing-ca.key.pem',
  serverCertificate: 'cmp-server.pem',
  serverKey: 'cmp-server.key.pem',
  /** The CMP server's ML-KEM certificate and key (post-quantum CAs only). */
  serverKemCertificate: 'cmp-server-kem.pem',
  serverKemKey: 'cmp-server-kem.key.pem',
  /** Roots replaced by `ca rollover`, newest first (PEM bundle). */
  previousRoots: 'previous-roots.pem',
  /** The link certificates of every rollover (PEM bundle). */
  links: 'root-links.pem',
});

/** The profile of the CMP server's own certificate (RFC 9483 section 3.1: id-kp-cmcCA). */
export function cmpServerProfile(validityDays: number): CertificateProfile {
  return defineProfile({
    name: 'cmpServer',
    validityDays,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [oids.id_kp_cmcCA],
    keyAlgorithms: ['ec:P-256', 'ec:P-384', 'ec:P-521', 'rsa:2048+', 'ed25519', 'ed448', 'ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'],
    allowSubjectAltName: false,
  });
}

/** The profile of the CMP server's ML-KEM certificate: keyEncipherment only, id-kp-cmcCA. */
function cmpServerKemProfile(validityDays: number): CertificateProfile {
  return defineProfile({
    name: 'cmpServerKem',
    validityDays,
    keyUsage: ['keyEncipherment'],
    extendedKeyUsage: [oids.id_kp_cmcCA],
    keyAlgorithms: ['ml-kem-512', 'ml-kem-768', 'ml-kem-1024'],
    allowSubjectAltName: false,
  });
}

const KEM_USAGES = ['encapsulateBits', 'decapsulateBits'] as unknown as KeyUsage[];

interface Environment {
  crypto: Crypto;
  clock: () => Date;
  /** Told before a key that takes a while (RSA) is generated, e.g. `generating the root CA key (rsa:4096)`. */
  progress?: (text: string) => void;
}

/** A new signature key pair of `spec` (`ec:P-256`, `rsa:3072`, ...), extractable so it can be written. */
export async function generateKeyPair(spec: string, crypto: Crypto): Promise<CryptoKeyPair> {
  const gen = keyGenParams(spec);
  if (!gen || !gen.usages.includes('sign')) throw new Error(`server: '${spec}' is not a signature key algorithm the server can generate`);
  return (await crypto.subtle.generateKey(gen.params, true, gen.usages)) as CryptoKeyPair;
}

/** True for key algorithms whose generation takes long enough to say so (RSA: seconds at 4096 bits). */
export function isSlowKeyAlgorithm(spec: string): boolean {
  return spec.startsWith('rsa:');
}

/** Generates a root CA, an issuing CA and the CMP server certificate. */
export async function createCaMaterial(setup: CaSetup, env: Environment): Promise<CaMaterial> {
  const { crypto, clock } = env;
  const keyFor = (what: string): Promise<CryptoKeyPair> => {
    if (isSlowKeyAlgorithm(setup.keyAlgorithm)) env.progress?.(`generating the ${what} key (${setup.keyAlgorithm})`);
    return generateKeyPair(setup.keyAlgorithm, crypto);
  };
  const root = await createSelfSignedCa({
    subject: setup.rootSubject,
    validityDays: setup.rootValidityDays,
    keyPair: await keyFor('root CA'),
    crypto,
    clock,
  });
  const rootCa = createCertificateAuthority({ ...root, crypto, clock });
  const issuing = await createSubordinateCa(rootCa, {
    subject: setup.issuingSubject,
    validityDays: setup.issuingValidityDays,
    keyPair: await keyFor('issuing CA'),
    crypto,
  });
  const issuingCa = createCertificateAuthority({ ...issuing, crypto, clock });
  const cmpServer = await issueCmpServerCredential(
    issuingCa,
    [issuing.certificate, ...issuing.chain],
    setup,
    crypto,
    await keyFor('CMP server'),
  );
  const material: CaMaterial = {
    root: { certificate: root.certificate, privateKey: root.privateKey },
    previousRoots: [],
    links: [],
    issuing: { certificate: issuing.certificate, privateKey: issuing.privateKey, chain: issuing.chain },
    cmpServer,
  };
  if (setup.keyAlgorithm.startsWith('ml-dsa')) {
    const kemKeys = (await crypto.subtle.generateKey({ name: 'ML-KEM-768' }, true, KEM_USAGES)) as CryptoKeyPair;
    const kemPublicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', kemKeys.publicKey)));
    const kem = await issuingCa.issue({
      template: { subject: parseName(`${setup.serverSubject} KEM`) },
      publicKey: kemPublicKey,
      profile: cmpServerKemProfile(setup.serverValidityDays),
    });
    material.cmpServerKem = {
      certificate: kem.certificate,
      privateKey: kemKeys.privateKey,
      chain: [issuing.certificate, root.certificate],
    };
  }
  return material;
}

/**
 * A new CMP protection credential: `keyPair` (default: a fresh key of `setup.keyAlgorithm`), certified by `ca` with
 * the {@link cmpServerProfile} for `setup.serverSubject`. `caPath` is the CA's certificate and its
 * chain (the new certificate's chain).
 */
export async function issueCmpServerCredential(
  ca: CertificateAuthority,
  caPath: readonly Uint8Array[],
  setup: Pick<CaSetup, 'keyAlgorithm' | 'serverSubject' | 'serverValidityDays'>,
  crypto: Crypto,
  keyPair?: CryptoKeyPair,
): Promise<Credential> {
  const keys = keyPair ?? (await generateKeyPair(setup.keyAlgorithm, crypto));
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey)));
  const server = await ca.issue({
    template: { subject: parseName(setup.serverSubject) },
    publicKey,
    profile: cmpServerProfile(setup.serverValidityDays),
  });
  return { certificate: server.certificate, privateKey: keys.privateKey, chain: [...caPath] };
}

/** Writes a credential's certificate and PKCS#8 key (mode 0600) to the given paths, refusing to overwrite. */
export async function writeCredentialFiles(
  paths: { certificate: string; key: string },
  credential: { certificate: Uint8Array; privateKey: CryptoKey },
  crypto: Crypto,
): Promise<void> {
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', credential.privateKey));
  await writeFile(paths.key, encodePem('PRIVATE KEY', pkcs8), { mode: 0o600, flag: 'wx' });
  await writeFile(paths.certificate, encodePem('CERTIFICATE', credential.certificate), { flag: 'wx' });
}

async function writeCredential(
  dir: string,
  certFile: string,
  keyFile: string,
  credential: { certificate: Uint8Array; privateKey?: CryptoKey },
  crypto: Crypto,
): Promise<void> {
  if (!credential.privateKey) throw new Error(`server: no private key to write to ${join(dir, keyFile)}`);
  await writeCredentialFiles(
    { certificate: join(dir, certFile), key: join(dir, keyFile) },
    { ...credential, privateKey: credential.privateKey },
    crypto,
  );
}

/** Writes the CA material into `dir` (created if missing). Refuses to overwrite existing files. */
export async function writeCaMaterial(dir: string, material: CaMaterial, crypto: Crypto): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeCredential(dir, CA_FILES.rootCertificate, CA_FILES.rootKey, material.root, crypto);
  await writeCredential(dir, CA_FILES.issuingCertificate, CA_FILES.issuingKey, material.issuing, crypto);
  await writeCredential(dir, CA_FILES.serverCertificate, CA_FILES.serverKey, material.cmpServer, crypto);
  if (material.cmpServerKem)
    await writeCredential(dir, CA_FILES.serverKemCertificate, CA_FILES.serverKemKey, material.cmpServerKem, crypto);
}
