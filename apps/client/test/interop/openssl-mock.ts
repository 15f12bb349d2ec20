import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixtures of the OpenSSL 3.0 vectors: root, issuing CA, EE (`ee.pem` is what the mock returns). */
export const PKI = fileURLToPath(new URL('../../../../fixtures/pki/openssl-3.0/', import.meta.url));
export const pki = (file: string): string => join(PKI, file);

/** The `openssl` version line, or undefined when the binary (with `cmp`) is not there. */
function opensslVersion(): string | undefined {
  try {
    execFileSync('openssl', ['cmp', '-help'], { stdio: 'ignore', timeout: 10_000 });
    return execFileSync('openssl', ['version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

export const OPENSSL_VERSION = opensslVersion();
/** Why the interop tests are skipped, or undefined when they run. */
export const SKIP_REASON = OPENSSL_VERSION ? undefined : 'openssl with the cmp app is not installed: OpenSSL interop tests skipped';

/** Runs `openssl` with arguments; throws with its stderr when it fails. */
export function openssl(args: readonly string[], cwd?: string): string {
  return execFileSync('openssl', [...args], { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running `openssl cmp -port` mock server. */
export interface MockServer {
  port: number;
  /** `127.0.0.1:PORT` for `--server`. */
  server: string;
  /** What the mock printed so far (for failure messages). */
  log(): string;
  /** Kills this mock (its PID only) and waits for it to exit. */
  stop(): Promise<void>;
}

/** The mock's usual answers: `ee.pem` as the certificate, the chain as extraCerts, the root as caPubs. */
export const RESPONSE_ARGS = ['-rsp_cert', pki('ee.pem'), '-rsp_extracerts', pki('chain.pem'), '-rsp_capubs', pki('root.pem')];
/** MAC protection with the vectors' secret and reference. */
export const MAC_ARGS = ['-srv_ref', '3078', '-srv_secret', 'pass:perf-test-secret'];

/**
 * Starts `openssl cmp -port N` on a free loopback port with `args` and resolves once it listens.
 */
export async function startMock(args: readonly string[]): Promise<MockServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('openssl', ['cmp', '-port', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const stop = async (): Promise<void> => {
    if (running && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await exited;
  };
  // The mock prints `ACCEPT <address> PID=<pid>` once it listens. (Probing with a bare TCP
  // connection would hold its single-threaded loop for about a second.)
  for (let attempt = 0; attempt < 200 && running; attempt++) {
    if (/^ACCEPT /m.test(output)) return { port, server: `127.0.0.1:${port}`, log: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await stop();
  throw new Error(`openssl cmp -port ${port} did not start:\n${output}`);
}

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; path(file: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (file) => join(dir, file), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A throw-away PKI for the mock's signature protection, made with openssl in `dir`: a root CA
 * (`srvroot.pem`) and a CMP server certificate under it (`srv.pem`/`srv.key`, keyUsage
 * digitalSignature), plus a PKCS#10 request for the fixtures' EE key (`ee-csr.pem`) and one for another key
 * (`other-csr.pem`).
 */
export function makeServerPki(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'srvroot.key',
      '-out',
      'srvroot.pem',
      '-days',
      '2',
      '-subj',
      '/O=cmpkit interop/CN=Mock Root CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(['req', '-new', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/O=cmpkit interop/CN=Mock CMP Server'], dir);
  writeFileSync(join(dir, 'srv.ext'), 'keyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'srv.csr',
      '-CA',
      'srvroot.pem',
      '-CAkey',
      'srvroot.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'srv.ext',
      '-out',
      'srv.pem',
    ],
    dir,
  );
  openssl(['req', '-new', '-key', pki('ee.key'), '-subj', '/C=DE/O=Example Org/CN=device-0001', '-out', 'ee-csr.pem'], dir);
  openssl(['req', '-new', ...ec, '-keyout', 'other.key', '-subj', '/C=DE/O=Example Org/CN=device-0001', '-out', 'other-csr.pem'], dir);
}
