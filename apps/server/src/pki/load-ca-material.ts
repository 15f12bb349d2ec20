import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createCertificateAuthority } from '@cmpkit/ca';
import { parseCertificate } from '@cmpkit/protection';
import { ConfigError } from '../config/config-error.js';
import { DEFAULT_CONFIG } from '../config/defaults.js';
import type { ServerConfig } from '../config/server-config.js';
import { caChainOf, checkCmpCertificate } from './ca-chain.js';
import { CA_FILES, issueCmpServerCredential, writeCredentialFiles, type CaMaterial, type Credential } from './ca-material.js';
import { isPkcs11Uri, type KeySource } from './key-source.js';
import { certificatesPem, pemBlocks } from './pem.js';

/** The CA material settings (`ca.certificate`, ..., absolute paths or `pkcs11:` URIs). */
export type CaFileSettings = Pick<ServerConfig['ca'], 'certificate' | 'key' | 'chain' | 'cmpCredential' | 'cmpCertificate' | 'cmpKey'>;

/** The CA material settings of a data directory laid out as `init` makes it (the defaults). */
export function defaultCaFiles(dataDir: string): CaFileSettings {
  const ca = DEFAULT_CONFIG.ca;
  return {
    certificate: join(dataDir, ca.certificate),
    key: join(dataDir, ca.key),
    chain: join(dataDir, ca.chain),
    cmpCredential: ca.cmpCredential,
    cmpCertificate: join(dataDir, ca.cmpCertificate),
    cmpKey: join(dataDir, ca.cmpKey),
  };
}

/** Whether the CA files are the ones `init` generates in `dataDir` (so a missing CA may be generated). */
export function isGeneratedLayout(files: CaFileSettings, dataDir: string): boolean {
  const defaults = defaultCaFiles(dataDir);
  return (['certificate', 'key', 'chain'] as const).every((k) => resolve(files[k]) === defaults[k]);
}

/** True when the file exists. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readCertificates(path: string, setting: string): Promise<Uint8Array[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`${setting}: cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  const certificates = pemBlocks(text, 'CERTIFICATE');
  if (certificates.length === 0) throw new ConfigError(`${setting}: ${path} holds no CERTIFICATE (PEM)`);
  return certificates;
}

async function readOptionalCertificates(path: string): Promise<Uint8Array[]> {
  return (await fileExists(path)) ? pemBlocks(await readFile(path, 'utf8'), 'CERTIFICATE') : [];
}

/** What {@link loadCaMaterial} needs besides the settings. */
export interface LoadCaMaterialOptions {
  /** The data directory: the rollover files (`previous-roots.pem`, `root-links.pem`) live there. */
  dataDir: string;
  keys: KeySource;
  clock: () => Date;
  /**
   * How to make a missing CMP protection certificate (cmpCredential `separate` at its default
   * files): issued by the CA with a new key. Without it a missing one is an error.
   */
  issueCmpCertificate?: Pick<ServerConfig['ca'], 'keyAlgorithm' | 'serverSubject' | 'serverValidityDays'>;
}

/** What {@link loadCaMaterial} did besides loading. */
export interface LoadedCaMaterial {
  material: CaMaterial;
  /** The path of a CMP protection certificate it issued (first start of an imported CA). */
  issuedCmpCertificate?: string;
}

/**
 * Loads the CA material the settings name: the issuing CA certificate (`ca.certificate`, with
 * any certificates after it) and its key (`ca.key`: PEM file or `pkcs11:` URI), its chain to a
 * self-signed root (`ca.chain`, verified), the CMP protection credential (`ca.cmpCertificate`
 * and `ca.cmpKey`, or the CA's own with `ca.cmpCredential: "ca"`), and in the data directory the
 * roots and links of past rollovers. Every key is checked against its certificate. The root's
 * key is never loaded.
 *
 * @throws ConfigError naming the setting and the file for anything missing, unreadable or inconsistent.
 */
export async function loadCaMaterial(files: CaFileSettings, options: LoadCaMaterialOptions): Promise<LoadedCaMaterial> {
  const loaded = await loadSigningMaterial(files, options);
  const kem = await loadCmpServerKem(options.dataDir, loaded.material.cmpServer.chain, options.keys.crypto);
  if (kem) loaded.material.cmpServerKem = kem;
  return loaded;
}

/**
 * The CMP server's ML-KEM credential in the data directory (made by `init` for a post-quantum
 * CA), or undefined when there is none.
 */
async function loadCmpServerKem(dataDir: string, chain: Uint8Array[], crypto: Crypto): Promise<Credential | undefined> {
  const keyFile = join(dataDir, CA_FILES.serverKemKey);
  if (!(await fileExists(keyFile))) return undefined;
  const [certificate] = await readCertificates(join(dataDir, CA_FILES.serverKemCertificate), 'the ML-KEM certificate');
  const [pkcs8] = pemBlocks(await readFile(keyFile, 'utf8'), 'PRIVATE KEY');
  if (!pkcs8) throw new ConfigError(`${keyFile} holds no PRIVATE KEY (PEM)`);
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8.slice(), { name: 'ML-KEM-768' }, false, ['decapsulateBits' as KeyUsage]);
  return { certificate: certificate!, privateKey, chain };
}

async function loadSigningMaterial(files: CaFileSettings, options: LoadCaMaterialOptions): Promise<LoadedCaMaterial> {
  const { keys, clock, dataDir } = options;
  const at = clock();
  const [caCertificate, ...extra] = await readCertificates(files.certificate, 'ca.certificate');
  const chainCandidates = (await fileExists(files.chain)) ? await readCertificates(files.chain, 'ca.chain') : [];
  const path = await caChainOf(caCertificate!, [...extra, ...chainCandidates], {
    source: { certificate: `ca.certificate ${files.certificate}`, chain: `ca.chain ${files.chain}` },
    crypto: keys.crypto,
    at,
  });
  const root = path.at(-1) ?? caCertificate!;
  const links = await readOptionalCertificates(join(dataDir, CA_FILES.links));
  const previousRoots = await readOptionalCertificates(join(dataDir, CA_FILES.previousRoots));
  const issuing: Credential = {
    certificate: caCertificate!,
    privateKey: await keys.signingKey(files.key, caCertificate!, 'ca.key'),
    chain: [...path, ...links],
  };
  const caPath = [issuing.certificate, ...issuing.chain];
  const material = (cmpServer: Credential): CaMaterial => ({ root: { certificate: root }, previousRoots, links, issuing, cmpServer });

  if (files.cmpCredential === 'ca') {
    const ku = parseCertificate(caCertificate!).keyUsage;
    if (ku && !ku.includes('digitalSignature')) {
      throw new ConfigError(
        `ca.cmpCredential "ca": the CA certificate ${files.certificate} has no keyUsage digitalSignature, so clients refuse its signature on CMP messages; use a separate CMP certificate`,
      );
    }
    return { material: material({ ...issuing, chain: [...issuing.chain] }) };
  }

  if (!(await fileExists(files.cmpCertificate))) {
    const defaults = defaultCaFiles(dataDir);
    const onToken = isPkcs11Uri(files.cmpKey);
    if (
      !options.issueCmpCertificate ||
      files.cmpCertificate !== defaults.cmpCertificate ||
      !(onToken || files.cmpKey === defaults.cmpKey)
    ) {
      throw new ConfigError(`ca.cmpCertificate: ${files.cmpCertificate} does not exist`);
    }
    const ca = createCertificateAuthority({ ...issuing, crypto: keys.crypto, clock });
    await mkdir(dirname(files.cmpCertificate), { recursive: true, mode: 0o700 });
    if (onToken) {
      // A key in a token: generated there (never extractable); only the certificate is written.
      const pair = await keys.generate(files.cmpKey, options.issueCmpCertificate.keyAlgorithm, 'ca.cmpKey');
      const cmpServer = await issueCmpServerCredential(ca, caPath, options.issueCmpCertificate, keys.crypto, pair);
      await writeFile(files.cmpCertificate, certificatesPem([cmpServer.certificate]), { flag: 'wx' });
    } else {
      const cmpServer = await issueCmpServerCredential(ca, caPath, options.issueCmpCertificate, keys.crypto);
      await writeCredentialFiles({ certificate: files.cmpCertificate, key: files.cmpKey }, { ...cmpServer }, keys.crypto);
    }
    const [issued] = await readCertificates(files.cmpCertificate, 'ca.cmpCertificate');
    return {
      material: material({ certificate: issued!, privateKey: await keys.signingKey(files.cmpKey, issued!, 'ca.cmpKey'), chain: caPath }),
      issuedCmpCertificate: files.cmpCertificate,
    };
  }
  const [cmpCertificate] = await readCertificates(files.cmpCertificate, 'ca.cmpCertificate');
  await checkCmpCertificate(
    cmpCertificate!,
    { ca: issuing.certificate, chain: path },
    { source: `ca.cmpCertificate ${files.cmpCertificate}`, crypto: keys.crypto, at },
  );
  return {
    material: material({
      certificate: cmpCertificate!,
      privateKey: await keys.signingKey(files.cmpKey, cmpCertificate!, 'ca.cmpKey'),
      chain: caPath,
    }),
  };
}
