import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const script = fileURLToPath(new URL('../../../scripts/postgres-test-server.sh', import.meta.url));
const run = promisify(execFile);

/**
 * Gives the PostgreSQL tests a server: the one named by CMPKIT_TEST_POSTGRES_URL (.ci/run starts
 * one), else a throwaway cluster started here when the server binaries are installed. Without
 * either the PostgreSQL tests skip and say why, except under CI=true, where the run fails.
 */
export async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.CMPKIT_TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgresUrl', given);
    project.provide('postgresMissing', '');
    return undefined;
  }
  const parent = mkdtempSync(join(tmpdir(), 'cmpkit-pg-'));
  chmodSync(parent, 0o755); // as root, the server runs as the postgres user
  const dir = join(parent, 'cluster');
  try {
    const { stdout } = await run('bash', [script, 'start', dir]);
    project.provide('postgresUrl', stdout.trim());
    project.provide('postgresMissing', '');
    return async () => {
      await run('bash', [script, 'stop', dir]);
      rmSync(parent, { recursive: true, force: true });
    };
  } catch (error) {
    rmSync(parent, { recursive: true, force: true });
    const reason = `no PostgreSQL for the tests (set CMPKIT_TEST_POSTGRES_URL or install Debian's postgresql package): ${String((error as { stderr?: string }).stderr ?? error).trim()}`;
    if (process.env.CI === 'true') throw new Error(reason);
    console.warn(`\n[${project.name}] PostgreSQL tests are SKIPPED: ${reason}\n`);
    project.provide('postgresUrl', null);
    project.provide('postgresMissing', reason);
    return undefined;
  }
}
