import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleFromSources } from '@cmpkit/test-utils';

const serverDir = fileURLToPath(new URL('../../', import.meta.url));
const bundlePath = `${serverDir}node_modules/.cache/cmpkit-server-test/server-${process.pid}.mjs`;
let bundled: Promise<string> | undefined;

/**
 * Bundles the server from its sources (and the workspace packages' sources) into one file under
 * apps/server/node_modules/.cache, where Node finds the database drivers: the tests run the
 * current code as real processes without a build of every package first.
 */
export function serverBundle(): Promise<string> {
  // The database drivers stay imports, found in apps/server/node_modules at run time (one is native).
  bundled ??= bundleFromSources(fileURLToPath(new URL('./server-entry.ts', import.meta.url)), bundlePath, {
    external: ['better-sqlite3', 'pg', 'pg-native'],
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

/** Starts `cmpkit-server serve ARGS` (on port 0 unless ARGS say otherwise) and waits for the `listening` log line of its HTTP listener (logLevel info or debug). */
export async function startServerProcess(args: readonly string[]): Promise<ServerProcess> {
  const bundle = await serverBundle();
  const child = spawn(process.execPath, [bundle, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /listening url=(http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code, signal) => reject(new Error(`cmpkit-server exited (${code ?? signal}) before listening:\n${stderr}`)));
  });
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
