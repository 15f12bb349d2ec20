import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerStore } from '@cmpkit/issuer';
import { createTestDatabase, type TestDatabase } from '@cmpkit/test-utils';
import { openServerStore } from '../../src/config/open-server-store.js';
import { runCli } from '../run-cli.js';
import { tempDir } from '../helpers.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** Two `cmpkit-server serve` processes on one fresh PostgreSQL database, and that database's store for checks. */
export interface TwoInstances {
  database: TestDatabase;
  /** The directory of the configuration file (and of the data directory `data`). */
  dir: string;
  /** The configuration file both processes run with. */
  config: string;
  a: ServerProcess;
  b: ServerProcess;
  store: ServerStore;
}

/**
 * Makes a test database and a configuration file (`dataDir` `data`, `database`, then `settings`),
 * runs `cmpkit-server init` once and starts two server processes with it. What it made is dropped
 * again when a step fails.
 */
export async function startTwoInstances(settings: Record<string, unknown> = {}): Promise<TwoInstances> {
  const database = await createTestDatabase();
  const started: ServerProcess[] = [];
  try {
    const dir = tempDir();
    const config = join(dir, 'server.json');
    writeFileSync(config, JSON.stringify({ dataDir: 'data', database: database.url, ...settings }));
    const init = await runCli({ cwd: dir }, 'init', '--config', config);
    if (init.status !== 0) throw new Error(`cmpkit-server init failed (${init.status}): ${init.stderr}`);
    const start = () => startServerProcess(['--config', config]).then((server) => (started.push(server), server));
    const [a, b] = await Promise.all([start(), start()]);
    return { database, dir, config, a, b, store: await openServerStore(database.url) };
  } catch (error) {
    await Promise.all(started.map((server) => server.stop()));
    await database.drop();
    throw error;
  }
}
