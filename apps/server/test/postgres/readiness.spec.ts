// GET /ready says whether the server can work: while its PostgreSQL database cannot be reached it
// answers 503 naming the database, and 200 again once the database is back. A TCP proxy in front
// of the tests' PostgreSQL server stands for the network between them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '@cmpkit/test-utils';
import { main } from '../../src/main.js';
import { tempDir } from '../helpers.js';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.js';
import { createTestDatabase, postgresMissing, postgresUrl, type TestDatabase } from '@cmpkit/test-utils';

describe.skipIf(!postgresUrl)(`GET /ready with PostgreSQL${postgresUrl ? '' : ` (skipped: ${postgresMissing})`}`, () => {
  let database: TestDatabase;
  let proxy: TcpProxy;

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  });
  afterAll(async () => {
    await proxy?.close();
    await database?.drop();
  });

  it('fails while the database is unreachable and recovers when it is back', async () => {
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const stop = new AbortController();
    let stderr = '';
    let listening: (url: string) => void = () => {};
    const bound = new Promise<string>((resolve) => (listening = resolve));
    const done = main(['serve', '--port', '0', '--db', url.toString()], {
      cwd: tempDir(),
      signal: stop.signal,
      stdout: () => {},
      stderr: (t) => (stderr += t),
      onListening: (address) => listening(address.url),
    });
    const readyUrl = `${new URL(await bound).origin}/ready`;
    const readiness = async (): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> => {
      const answer = await fetch(readyUrl);
      return { status: answer.status, body: (await answer.json()) as { status: string; checks: Record<string, string> } };
    };
    try {
      expect(await readiness()).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', caMaterial: 'ok' } } });

      proxy.cut();
      const down = await waitUntil(async () => {
        const r = await readiness();
        return r.status === 503 ? r : undefined;
      });
      expect(down.body.status).toBe('not ready');
      expect(down.body.checks.caMaterial).toBe('ok');
      expect(down.body.checks.database).toMatch(/^unreachable: /);
      // Liveness is another question: the process still serves.
      expect((await fetch(readyUrl.replace('/ready', '/health'))).status).toBe(200);

      proxy.restore();
      const up = await waitUntil(async () => {
        const r = await readiness();
        return r.status === 200 ? r : undefined;
      });
      expect(up.body.checks).toEqual({ database: 'ok', caMaterial: 'ok' });
    } finally {
      stop.abort();
      expect(await done, stderr).toBe(0);
    }
  });
});
