// Helpers of the `openssl cmp` end-to-end tests: find the binary, run it as a child process in a
// temporary directory, start cmpkit-server in-process on 127.0.0.1 with a port of the system's
// choosing, and make throw-away CAs with `openssl` itself.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/main.js';

const run = promisify(execFile);

/** `openssl version`, or undefined when no openssl is on the PATH. */
export function opensslVersion(): string | undefined {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** The exit status (as ok) and everything a child printed. */
export interface Outcome {
  ok: boolean;
  output: string;
}

/** Runs `openssl ...args` in `cwd`; never throws for a non-zero exit. */
export async function openssl(cwd: string, ...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run('openssl', args, { cwd, timeout: 60_000 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? e.message}` };
  }
}

/** A cmpkit-server running in-process for a test file. */
export interface RunningServer {
  /** The temporary working directory (openssl runs here). */
  dir: string;
  /** The data directory. */
  data: string;
  /** `127.0.0.1:PORT`. */
  address: string;
  /** Everything the server logged so far. */
  log(): string;
  /** Stops the server; resolves with its exit status and removes the directory. */
  stop(): Promise<number>;
}

/**
 * Starts `cmpkit-server start --port 0 --host 127.0.0.1 ...extraArgs` in a new temporary
 * directory; `prepare` runs in that directory first (e.g. to write a configuration file).
 */
export async function startServer(extraArgs: string[] = [], prepare?: (dir: string) => Promise<void>): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-interop-'));
  await prepare?.(dir);
  const stop = new AbortController();
  let serverLog = '';
  let listening: (port: number) => void = () => {};
  const bound = new Promise<number>((resolve) => (listening = resolve));
  const running = main(['start', '--port', '0', '--host', '127.0.0.1', ...extraArgs], {
    cwd: dir,
    signal: stop.signal,
    stdout: () => {},
    stderr: (t) => (serverLog += t),
    onListening: (a) => listening(a.port),
  });
  const port = await Promise.race([
    bound,
    running.then((status) => Promise.reject(new Error(`server exited with ${status}: ${serverLog}`))),
  ]);
  return {
    dir,
    data: join(dir, '.cmpkit-server'),
    address: `127.0.0.1:${port}`,
    log: () => serverLog,
    stop: async () => {
      stop.abort();
      const status = await running;
      rmSync(dir, { recursive: true, force: true });
      return status;
    },
  };
}

/** Makes a self-signed CA `<name>.pem` with key `<name>.key.pem` (EC P-256) in `cwd`. */
export async function makeOpensslCa(cwd: string, name: string, subject: string): Promise<Outcome> {
  return openssl(
    cwd,
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key.pem`,
    '-out',
    `${name}.pem`,
    '-subj',
    subject,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
}

/** Makes an end-entity certificate `<name>.pem` (key `<name>.key.pem`) under the CA `<ca>.pem` in `cwd`. */
export async function makeOpensslLeaf(cwd: string, ca: string, name: string, subject: string): Promise<Outcome> {
  const csr = await openssl(
    cwd,
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key.pem`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  );
  if (!csr.ok) return csr;
  const ext = join(cwd, `${name}.ext`);
  writeFileSync(ext, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  return openssl(
    cwd,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key.pem`,
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    ext,
    '-out',
    `${name}.pem`,
  );
}
