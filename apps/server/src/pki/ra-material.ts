import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createCertificateAuthority, profiles } from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, encodePem, parseName } from '@cmpkit/codec';
import { importPrivateKey } from '@cmpkit/protection';
import type { RaConfig } from '../config/ra-config.js';
import { createKeySource } from './key-source.js';
import { defaultCaFiles, fileExists, loadCaMaterial } from './load-ca-material.js';
import { keyGenParams } from '@cmpkit/issuer';
import { pemBlocks } from './pem.js';

/** What an RA runs with: its signing credential (an id-kp-cmcRA certificate) and the CA's root. */
export interface RaMaterial {
  certificate: Uint8Array;
  privateKey: CryptoKey;
  /** The certificates above the RA's (issuer first). */
  chain: Uint8Array[];
  /** The trust anchors of the PKI: the CA's responses and the devices' certificates chain to them. */
  trustAnchors: Uint8Array[];
}

/** The RA's files: absolute paths (ra config keys certificate, key, trustAnchors, resolved against dataDir). */
export interface RaFiles {
  certificate: string;
  key: string;
  trustAnchors: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Loads the RA credential: `certificate` holds the RA certificate first and then its chain,
 * `key` the PKCS#8 private key, `trustAnchors` the CA root certificate(s). Undefined when the
 * certificate file does not exist.
 */
export async function loadRaMaterial(files: RaFiles, crypto: Crypto): Promise<RaMaterial | undefined> {
  if (!(await exists(files.certificate))) return undefined;
  const [certificate, ...chain] = pemBlocks(await readFile(files.certificate, 'utf8'), 'CERTIFICATE');
  if (!certificate) throw new Error(`server: ${files.certificate} holds no CERTIFICATE`);
  const privateKey = await importPrivateKey(await readFile(files.key, 'utf8'), { crypto });
  const trustAnchors = pemBlocks(await readFile(files.trustAnchors, 'utf8'), 'CERTIFICATE');
  if (trustAnchors.length === 0) throw new Error(`server: ${files.trustAnchors} holds no CERTIFICATE`);
  return { certificate, privateKey, chain, trustAnchors };
}

/**
 * Development RA credentials: a new key, certified by the issuing CA of the CA data directory
 * `caDataDir` with the `ra` profile (extended key usage id-kp-cmcRA), for a device -> RA -> CA
 * chain on one machine. Writes them to `files` (refusing to overwrite).
 */
export async function issueDevRaMaterial(
  caDataDir: string,
  config: RaConfig,
  files: RaFiles,
  dataDir: string,
  env: { crypto: Crypto; clock: () => Date },
): Promise<RaMaterial> {
  const { crypto, clock } = env;
  const caFiles = defaultCaFiles(caDataDir);
  if (!(await fileExists(caFiles.certificate)))
    throw new Error(`server: no CA in ${caDataDir}; run 'cmpkit-server init --data-dir ${caDataDir}' first`);
  const keys = createKeySource({ pkcs11: { module: null, pin: null } }, crypto, () => Promise.reject(new Error('no PIN')));
  const { material: ca } = await loadCaMaterial(caFiles, { dataDir: caDataDir, keys, clock }).finally(() => keys.close());
  const gen = keyGenParams(config.keyAlgorithm);
  if (!gen || !gen.usages.includes('sign')) throw new Error(`server: '${config.keyAlgorithm}' is not a signature key algorithm`);
  const keyPair = (await crypto.subtle.generateKey(gen.params, true, gen.usages)) as CryptoKeyPair;
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey)));
  const issuing = createCertificateAuthority({ ...ca.issuing, crypto, clock });
  const issued = await issuing.issue({ template: { subject: parseName(config.subject) }, publicKey, profile: profiles.ra });
  const chain = [ca.issuing.certificate, ca.root.certificate];
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keyPair.privateKey));
  await writeFile(files.key, encodePem('PRIVATE KEY', pkcs8), { mode: 0o600, flag: 'wx' });
  await writeFile(files.certificate, [issued.certificate, ...chain].map((c) => encodePem('CERTIFICATE', c)).join(''), { flag: 'wx' });
  await writeFile(files.trustAnchors, encodePem('CERTIFICATE', ca.root.certificate), { flag: 'wx' });
  return { certificate: issued.certificate, privateKey: keyPair.privateKey, chain, trustAnchors: [ca.root.certificate] };
}
