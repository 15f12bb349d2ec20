import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CliEnvironment } from '../cli-environment.js';
import { readSecretReference } from '../config/secret-reference.js';
import type { ServerConfig } from '../config/server-config.js';
import { caChainOf, checkCmpCertificate } from '../pki/ca-chain.js';
import { createKeySource, isPkcs11Uri } from '../pki/key-source.js';
import { fileExists } from '../pki/load-ca-material.js';
import { certificatesPem, pemBlocks } from '../pki/pem.js';
import { UsageError } from './usage-error.js';

/** The files `init --import` takes (paths as given on the command line, or a `pkcs11:` URI for keys). */
export interface ImportSources {
  'ca-cert'?: string;
  'ca-key'?: string;
  'ca-chain'?: string;
  'cmp-cert'?: string;
  'cmp-key'?: string;
}

async function certificatesOf(path: string, option: string): Promise<Uint8Array[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new UsageError(`${option}: cannot read ${path}: ${(cause as Error).message}`);
  }
  const certificates = pemBlocks(text, 'CERTIFICATE');
  if (certificates.length === 0) throw new UsageError(`${option}: ${path} holds no CERTIFICATE (PEM)`);
  return certificates;
}

/** Where a key goes: copied to the setting's file, or (a token key) used where it is, when the setting names it. */
function keyTarget(source: string | undefined, setting: string, settingName: string, option: string): string {
  if (source === undefined) {
    if (isPkcs11Uri(setting)) return setting;
    throw new UsageError(`init --import needs ${option} FILE (or ${settingName} set to a pkcs11: URI in the configuration)`);
  }
  if (isPkcs11Uri(source) && source !== setting) {
    throw new UsageError(`${option} ${source}: a key in a token is not copied; set ${settingName} to that URI in the configuration file`);
  }
  return source;
}

/**
 * `cmpkit-server init --import`: takes an existing CA (its certificate `--ca-cert`, key
 * `--ca-key`, chain to the root `--ca-chain`) and optionally a CMP protection certificate and key
 * (`--cmp-cert`, `--cmp-key`), checks them (the chain verifies to a self-signed root, each key is
 * its certificate's, the CMP certificate was issued on the CA's path), and writes them to the
 * files of the `ca.*` settings (by default in the data directory; keys mode 0600), refusing to
 * overwrite. Keys in a PKCS#11 token stay there: their setting holds the URI. What a first start
 * does next (database, CMP certificate when none was given, first CRL) is the caller's.
 *
 * @returns the lines describing what was imported.
 */
export async function importCaMaterial(
  config: ServerConfig,
  sources: ImportSources,
  env: CliEnvironment,
  crypto: Crypto,
  clock: () => Date,
): Promise<string[]> {
  const cwd = env.cwd ?? process.cwd();
  const path = (p: string | undefined): string | undefined => (p === undefined || isPkcs11Uri(p) ? p : resolve(cwd, p));
  const caCertPath = path(sources['ca-cert']);
  if (caCertPath === undefined) throw new UsageError('init --import needs --ca-cert FILE (the CA certificate, PEM)');
  const ca = config.ca;
  if (await fileExists(ca.certificate)) throw new UsageError(`${ca.certificate} exists already: the data directory has a CA`);
  const caKey = keyTarget(path(sources['ca-key']), ca.key, 'ca.key', '--ca-key');
  const [caCertificate, ...extra] = await certificatesOf(caCertPath, '--ca-cert');
  const chainPath = path(sources['ca-chain']);
  const candidates = [...extra, ...(chainPath === undefined ? [] : await certificatesOf(chainPath, '--ca-chain'))];
  const keys = createKeySource(config, crypto, (ref) => readSecretReference(ref, cwd));
  try {
    const at = clock();
    const chain = await caChainOf(caCertificate!, candidates, {
      source: { certificate: `--ca-cert ${caCertPath}`, chain: `--ca-chain ${chainPath ?? '(none given)'}` },
      crypto: keys.crypto,
      at,
    });
    await keys.signingKey(caKey, caCertificate!, '--ca-key');
    const cmpCertPath = path(sources['cmp-cert']);
    let cmp: { certificate: Uint8Array; key: string } | undefined;
    if (cmpCertPath !== undefined) {
      if (ca.cmpCredential === 'ca') throw new UsageError('--cmp-cert: ca.cmpCredential is "ca" (the CA signs CMP messages itself)');
      const [certificate] = await certificatesOf(cmpCertPath, '--cmp-cert');
      await checkCmpCertificate(
        certificate!,
        { ca: caCertificate!, chain },
        { source: `--cmp-cert ${cmpCertPath}`, crypto: keys.crypto, at },
      );
      const key = keyTarget(path(sources['cmp-key']), ca.cmpKey, 'ca.cmpKey', '--cmp-key');
      await keys.signingKey(key, certificate!, '--cmp-key');
      cmp = { certificate: certificate!, key };
    } else if (sources['cmp-key'] !== undefined) {
      throw new UsageError('--cmp-key needs --cmp-cert');
    }

    for (const file of [ca.certificate, ca.chain, ...(isPkcs11Uri(ca.key) ? [] : [ca.key])])
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const lines: string[] = [];
    await writeFile(ca.certificate, certificatesPem([caCertificate!]), { flag: 'wx' });
    lines.push(`  issuing CA certificate  ${ca.certificate}`);
    if (chain.length > 0) {
      await writeFile(ca.chain, certificatesPem(chain), { flag: 'wx' });
      lines.push(`  chain to the root       ${ca.chain} (${chain.length} certificate${chain.length === 1 ? '' : 's'})`);
    }
    lines.push(`  CA key                  ${await placeKey(caKey, ca.key)}`);
    if (cmp) {
      await writeFile(ca.cmpCertificate, certificatesPem([cmp.certificate]), { flag: 'wx' });
      lines.push(`  CMP server certificate  ${ca.cmpCertificate}`);
      lines.push(`  CMP server key          ${await placeKey(cmp.key, ca.cmpKey)}`);
    }
    return lines;
  } finally {
    keys.close();
  }
}

/** Copies a key file to its setting's file (mode 0600, never over an existing one); a token key stays. */
async function placeKey(source: string, target: string): Promise<string> {
  if (isPkcs11Uri(source)) return `${source.replace(/([?&]pin-value=)[^&]*/i, '$1***')} (stays in the token)`;
  await writeFile(target, await readFile(source), { mode: 0o600, flag: 'wx' });
  return target;
}
