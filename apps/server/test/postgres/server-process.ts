import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleFromSources } from '@cmpkit/test-utils';
import { serverReady } from '../../../../scripts/server-ready.mjs';

const serverDir = fileURLToPath(new URL('../../', import.meta.url));
const bundlePath = `${serverDir}node_modules/.cache/cmpkit-server-test/server-${process.pid}.mjs`;
let bundled: Promise<string> | undefined;

/**
 * Bundles the server from its sources (and the workspace packages' sources) into one file under
 * apps/server/node_modules/.cache, where Node finds the database drivers: the tests run the
 * current code as real processes without a build of every package first.
 */
export function serverBundle(): Promise<string> {
  // The database drivers stay imports, found in apps/server/node_modules at run time (one is
  // native); so does the PKCS#11 binding, native and loaded only for keys in a token.
  bundled ??= bundleFromSources(fileURLToPath(new URL('./server-entry.ts', import.meta.url)), bundlePath, {
    external: ['better-sqlite3', 'pg', 'pg-native', '@cmpkit/pkcs11'],
  });
  return bundled;
}

/** A running `cmpkit-server serve` process. */
export interface ServerProcess {
  pid: number;
  /** The CMP URL it listens on. */
  url: string;
  /** What it wrote to standard error so far. */
  log(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (no shutdown at all), then waits for the exit. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `cmpkit-server serve ARGS` (on port 0 unless ARGS say otherwise) and waits for its ready line on stdout. */
export async function startServerProcess(args: readonly string[]): Promise<ServerProcess> {
  const bundle = await serverBundle();
  const child = spawn(process.execPath, [bundle, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const url = await serverReady(child).then(
    (ready) => ready.listeners.http!,
    (error: Error) => {
      throw new Error(`${error.message}:\n${stderr}`);
    },
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid!,
    url,
    log: () => stderr,
    async stop() {
      if (running()) child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      if (running()) process.kill(child.pid!, 'SIGKILL');
      await exited(child);
    },
  };
}
