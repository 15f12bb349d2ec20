import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const script = fileURLToPath(new URL('../../../scripts/postgres-test-server.sh', import.meta.url));
const run = promisify(execFile);

/** The server the projects of one vitest run share: its URL or why there is none. */
interface SharedServer {
  started: Promise<{ url: string | null; missing: string; stop?: () => Promise<void> }>;
  users: number;
}

// Every project that lists this file as its globalSetup loads its own copy of the module, in one
// process; the cluster is kept on globalThis so that one run starts one cluster, not one per project.
const SHARED = Symbol.for('cmpkit.test-utils.postgres-server');
type WithShared = typeof globalThis & { [SHARED]?: SharedServer };

async function startCluster(): Promise<{ url: string | null; missing: string; stop?: () => Promise<void> }> {
  const parent = mkdtempSync(join(tmpdir(), 'cmpkit-pg-'));
  chmodSync(parent, 0o755); // as root, the server runs as the postgres user
  const dir = join(parent, 'cluster');
  try {
    const { stdout } = await run('bash', [script, 'start', dir]);
    return {
      url: stdout.trim(),
      missing: '',
      stop: async () => {
        await run('bash', [script, 'stop', dir]);
        rmSync(parent, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(parent, { recursive: true, force: true });
    const reason = `no PostgreSQL for the tests (set CMPKIT_TEST_POSTGRES_URL or install Debian's postgresql package): ${String((error as { stderr?: string }).stderr ?? error).trim()}`;
    return { url: null, missing: reason };
  }
}

/**
 * Gives the PostgreSQL tests a server: the one named by CMPKIT_TEST_POSTGRES_URL (.ci/run starts
 * one), else a throwaway cluster started here when the server binaries are installed, shared by
 * every project of the run and stopped after the last one. Without either the PostgreSQL tests
 * skip and say why, except under CI=true, where the run fails.
 */
export async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.CMPKIT_TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgresUrl', given);
    project.provide('postgresMissing', '');
    return undefined;
  }
  const global = globalThis as WithShared;
  const shared = (global[SHARED] ??= { started: startCluster(), users: 0 });
  const server = await shared.started;
  if (server.url === null) {
    if (process.env.CI === 'true') throw new Error(server.missing);
    console.warn(`\n[${project.name}] PostgreSQL tests are SKIPPED: ${server.missing}\n`);
    project.provide('postgresUrl', null);
    project.provide('postgresMissing', server.missing);
    return undefined;
  }
  shared.users++;
  project.provide('postgresUrl', server.url);
  project.provide('postgresMissing', '');
  return async () => {
    if (--shared.users > 0) return;
    if (global[SHARED] === shared) delete global[SHARED];
    await server.stop?.();
  };
}
