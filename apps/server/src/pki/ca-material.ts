import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, createSelfSignedCa, createSubordinateCa, defineProfile, type CertificateProfile } from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, encodePem, oids, parseName } from '@cmpkit/codec';
import { importPrivateKey } from '@cmpkit/protection';
import { keyGenParams } from '@cmpkit/issuer';
import { pemBlocks } from './pem.js';

/** A certificate with its private key and the certificates above it (issuer first, up to the root). */
export interface Credential {
  certificate: Uint8Array;
  privateKey: CryptoKey;
  chain: Uint8Array[];
}

/** The server's PKI: a root CA, the issuing CA below it, and the CMP server's protection certificate. */
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
  issuing: Credential;
  /** Signs CMP responses; certified by the issuing CA with extKeyUsage id-kp-cmcCA. */
  cmpServer: Credential;
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
    keyAlgorithms: ['ec:P-256', 'ec:P-384', 'ec:P-521', 'rsa:2048+', 'ed25519', 'ed448'],
    allowSubjectAltName: false,
  });
}

interface Environment {
  crypto: Crypto;
  clock: () => Date;
}

/** A new signature key pair of `spec` (`ec:P-256`, `rsa:3072`, ...), extractable so it can be written. */
export async function generateKeyPair(spec: string, crypto: Crypto): Promise<CryptoKeyPair> {
  const gen = keyGenParams(spec);
  if (!gen || !gen.usages.includes('sign')) throw new Error(`server: '${spec}' is not a signature key algorithm the server can generate`);
  return (await crypto.subtle.generateKey(gen.params, true, gen.usages)) as CryptoKeyPair;
}

/** Generates a root CA, an issuing CA and the CMP server certificate. */
export async function createCaMaterial(setup: CaSetup, env: Environment): Promise<CaMaterial> {
  const { crypto, clock } = env;
  const root = await createSelfSignedCa({
    subject: setup.rootSubject,
    validityDays: setup.rootValidityDays,
    keyPair: await generateKeyPair(setup.keyAlgorithm, crypto),
    crypto,
    clock,
  });
  const rootCa = createCertificateAuthority({ ...root, crypto, clock });
  const issuing = await createSubordinateCa(rootCa, {
    subject: setup.issuingSubject,
    validityDays: setup.issuingValidityDays,
    keyPair: await generateKeyPair(setup.keyAlgorithm, crypto),
    crypto,
  });
  const issuingCa = createCertificateAuthority({ ...issuing, crypto, clock });
  const serverKeys = await generateKeyPair(setup.keyAlgorithm, crypto);
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', serverKeys.publicKey)));
  const server = await issuingCa.issue({
    template: { subject: parseName(setup.serverSubject) },
    publicKey,
    profile: cmpServerProfile(setup.serverValidityDays),
  });
  return {
    root: { certificate: root.certificate, privateKey: root.privateKey },
    previousRoots: [],
    links: [],
    issuing: { certificate: issuing.certificate, privateKey: issuing.privateKey, chain: issuing.chain },
    cmpServer: { certificate: server.certificate, privateKey: serverKeys.privateKey, chain: [issuing.certificate, root.certificate] },
  };
}

async function writeCredential(
  dir: string,
  certFile: string,
  keyFile: string,
  credential: { certificate: Uint8Array; privateKey?: CryptoKey },
  crypto: Crypto,
): Promise<void> {
  if (!credential.privateKey) throw new Error(`server: no private key to write to ${join(dir, keyFile)}`);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', credential.privateKey));
  await writeFile(join(dir, keyFile), encodePem('PRIVATE KEY', pkcs8), { mode: 0o600, flag: 'wx' });
  await writeFile(join(dir, certFile), encodePem('CERTIFICATE', credential.certificate), { flag: 'wx' });
}

/** Writes the CA material into `dir` (created if missing). Refuses to overwrite existing files. */
export async function writeCaMaterial(dir: string, material: CaMaterial, crypto: Crypto): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeCredential(dir, CA_FILES.rootCertificate, CA_FILES.rootKey, material.root, crypto);
  await writeCredential(dir, CA_FILES.issuingCertificate, CA_FILES.issuingKey, material.issuing, crypto);
  await writeCredential(dir, CA_FILES.serverCertificate, CA_FILES.serverKey, material.cmpServer, crypto);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readCertificate(dir: string, certFile: string): Promise<Uint8Array> {
  const [certificate] = pemBlocks(await readFile(join(dir, certFile), 'utf8'), 'CERTIFICATE');
  if (!certificate) throw new Error(`server: ${join(dir, certFile)} holds no CERTIFICATE`);
  return certificate;
}

async function readCredential(dir: string, certFile: string, keyFile: string, chain: Uint8Array[], crypto: Crypto): Promise<Credential> {
  const certificate = await readCertificate(dir, certFile);
  const privateKey = await importPrivateKey(await readFile(join(dir, keyFile), 'utf8'), { crypto });
  return { certificate, privateKey, chain };
}

/**
 * Loads the CA material from `dir` (the root's certificate only, not its key); undefined when there is none yet (no root certificate).
 *
 * @throws Error when some files exist and others are missing or unreadable.
 */
export async function loadCaMaterial(dir: string, crypto: Crypto): Promise<CaMaterial | undefined> {
  if ((await readOptional(join(dir, CA_FILES.rootCertificate))) === undefined) return undefined;
  const root = { certificate: await readCertificate(dir, CA_FILES.rootCertificate) };
  const previousRoots = pemBlocks((await readOptional(join(dir, CA_FILES.previousRoots))) ?? '', 'CERTIFICATE');
  const links = pemBlocks((await readOptional(join(dir, CA_FILES.links))) ?? '', 'CERTIFICATE');
  const issuing = await readCredential(dir, CA_FILES.issuingCertificate, CA_FILES.issuingKey, [root.certificate, ...links], crypto);
  const cmpServer = await readCredential(
    dir,
    CA_FILES.serverCertificate,
    CA_FILES.serverKey,
    [issuing.certificate, root.certificate, ...links],
    crypto,
  );
  return { root, previousRoots, links, issuing, cmpServer };
}
