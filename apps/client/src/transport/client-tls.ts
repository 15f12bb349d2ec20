import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { CmpOptionValues } from '../cmp-options.js';
import { CliError } from '../cli-error.js';

/** TLS settings of the CLI's https://, wss:// and tcps:// connections. */
export interface ClientTls {
  /** The roots the server's TLS certificate must chain to (PEM). */
  ca: string[];
  /** A client certificate (PEM, with its chain) and its key, for mutual TLS. */
  cert?: string;
  key?: string;
  /** The name checked against the server certificate (default: the URL's host). */
  servername?: string;
}

/** Where Debian, Red Hat, Alpine and macOS keep the system's trusted roots as one PEM file. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

/** The system's trusted roots (SSL_CERT_FILE, or the distribution's bundle) plus Node's own. */
async function systemRoots(): Promise<string[]> {
  const file = process.env.SSL_CERT_FILE ?? SYSTEM_BUNDLES.find((f) => existsSync(f));
  const system = file === undefined ? [] : [await readFile(file, 'utf8').catch(() => '')];
  return [...rootCertificates, ...system.filter(Boolean)];
}

async function readPem(path: string, option: string, label: RegExp): Promise<string> {
  let text: string;
  try {
    text = await readFile(resolve(path), 'utf8');
  } catch (error) {
    throw new CliError(`${option} ${path}: cannot read it (${(error as Error).message})`);
  }
  if (!label.test(text)) throw new CliError(`${option} ${path}: no PEM ${label.source.replace(/\\/g, '')} in it`);
  return text;
}

/**
 * The TLS settings from `--tls-trusted` (else the system's roots), `--tls-cert`/`--tls-key` and
 * `--tls-host`, named as in `openssl cmp` (`-tls_trusted`, `-tls_cert`, `-tls_key`, `-tls_host`).
 *
 * @throws CliError naming the option and file when a file is unreadable or holds no PEM.
 */
export async function clientTlsOf(values: CmpOptionValues): Promise<ClientTls> {
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new CliError('--tls-cert and --tls-key go together');
  const ca = values['tls-trusted']
    ? [await readPem(values['tls-trusted'], '--tls-trusted', /-----BEGIN CERTIFICATE-----/)]
    : await systemRoots();
  return {
    ca,
    ...(values['tls-cert'] ? { cert: await readPem(values['tls-cert'], '--tls-cert', /-----BEGIN CERTIFICATE-----/) } : {}),
    ...(values['tls-key'] ? { key: await readPem(values['tls-key'], '--tls-key', /-----BEGIN (\w+ )?PRIVATE KEY-----/) } : {}),
    ...(values['tls-host'] ? { servername: values['tls-host'] } : {}),
  };
}
