// `cmpkit-server serve` as the bin runs it: a supervising primary and one serving worker. A crash
// of the worker (SIGBUS, SIGKILL, and a real bus error from a damaged -shm file) costs a restart,
// not an outage; a database that cannot grow (a
// full disk, made real with RLIMIT_FSIZE on the worker, which binds root too) is answered over
// HTTP with 200 and a protected systemFailure error message, never a 500, and service comes back
// when the limit is lifted. Only the processes this test started are signalled, by PID.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePem, decodePKIMessage, parseName } from '@cmpkit/codec';
import { createClient, isTransportError, RemoteError, type Transport } from '@cmpkit/core';
import { verifyProtection } from '@cmpkit/protection';
import { httpTransport } from '@cmpkit/transport-http';
import { waitUntil } from '@cmpkit/test-utils';
import { startServerProcess, type ServerProcess } from '../postgres/server-process.js';
import { serialOf, tempDir } from '../helpers.js';
import { runCli } from '../run-cli.js';

const SECRET = 'demo-secret-change-me';
const prlimitMissing = spawnSync('prlimit', ['--version']).status === 0 ? '' : 'no prlimit (util-linux) on the PATH';

const servers: ServerProcess[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

async function serve(): Promise<{ server: ServerProcess; dir: string; data: string }> {
  const dir = tempDir();
  const server = await startServerProcess(['--host', '127.0.0.1', '--data-dir', join(dir, 'data')]);
  servers.push(server);
  return { server, dir, data: join(dir, 'data') };
}

/** An ir + certConf against `url`; the last response's DER and HTTP status are kept. */
function enroller(url: string, data: string) {
  const pem = (file: string) => decodePem(readFileSync(join(data, file), 'utf8')).map((b) => b.der);
  const roots = pem('root-ca.pem');
  const issuing = pem('issuing-ca.pem');
  const http = httpTransport({ url });
  const last: { response?: Uint8Array } = {};
  const recording: Transport = {
    async send(request, options) {
      last.response = await http.send(request, options);
      return last.response;
    },
  };
  const client = createClient({
    transport: recording,
    credential: { secret: SECRET, senderKID: 'demo' },
    trustAnchors: roots,
    untrusted: issuing,
  });
  return {
    last,
    roots,
    issuing,
    async enroll(subject: string): Promise<Uint8Array> {
      const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      return (await client.enroll({ keyPair, subject: parseName(subject) })).certificate;
    },
  };
}

/** Waits until the primary has started a worker other than those in `seen`; returns its PID. */
function nextWorker(server: ServerProcess, seen: number[]): Promise<number> {
  return waitUntil(() => server.workerPids().find((pid) => !seen.includes(pid)), { timeoutMs: 60_000, what: 'a new worker listening' });
}

describe('cmpkit-server serve, supervised', () => {
  it('replaces a worker killed by SIGBUS or SIGKILL; the next enrollment succeeds and the earlier certificates are there', async () => {
    const { server, dir, data } = await serve();
    const client = enroller(server.url, data);
    const issued = [await client.enroll('/CN=first-worker')];
    const seen = [...server.workerPids()];
    expect(seen).toHaveLength(1);

    for (const signal of ['SIGBUS', 'SIGKILL'] as const) {
      process.kill(seen.at(-1)!, signal);
      seen.push(await nextWorker(server, seen));
      issued.push(await client.enroll(`/CN=after-${signal}`));
      expect(server.log()).toContain(`signal=${signal}`);
    }
    expect(server.log()).toMatch(/warn {2}worker exited; starting a new one worker=1 pid=\d+ code=null signal=SIGBUS delayMs=500/);
    const listed = (await runCli({ cwd: dir }, 'cert', 'list', '--data-dir', 'data')).stdout;
    for (const certificate of issued) expect(listed).toMatch(new RegExp(`${serialOf(certificate)}.*confirmed`));
  }, 180_000);

  it('a damaged shared-memory file (-shm truncated under the worker) kills it with SIGBUS; the next worker serves again', async () => {
    const { server, dir, data } = await serve();
    const client = enroller(server.url, data);
    const before = await client.enroll('/CN=before-the-damage');
    const [first] = server.workerPids();
    // SQLite maps the wal-index file into memory; cut under it, the next access is a bus error.
    truncateSync(join(data, 'cmpkit-server.sqlite-shm'), 0);
    await expect(client.enroll('/CN=during-the-damage')).rejects.toSatisfy(isTransportError);
    await waitUntil(() => server.log().includes(`pid=${first} code=null signal=SIGBUS`), { what: 'the worker dying of SIGBUS' });
    await nextWorker(server, [first!]);
    const after = await client.enroll('/CN=after-the-damage');
    const listed = (await runCli({ cwd: dir }, 'cert', 'list', '--data-dir', 'data')).stdout;
    expect(listed).toMatch(new RegExp(`${serialOf(before)}.*confirmed`));
    expect(listed).toMatch(new RegExp(`${serialOf(after)}.*confirmed`));
  }, 180_000);

  it.skipIf(prlimitMissing)(
    `a database that cannot grow is answered with a protected systemFailure over HTTP 200, counted in the log; service resumes when it can${prlimitMissing ? ` (skipped: ${prlimitMissing})` : ''}`,
    async () => {
      const { server, data } = await serve();
      const client = enroller(server.url, data);
      await client.enroll('/CN=before');
      const worker = server.workerPids().at(-1)!;

      // No regular file of the worker may be written beyond its first byte: the WAL and the
      // database cannot take a commit, as on a full disk. (stderr is a pipe, not limited.)
      execFileSync('prlimit', ['--pid', String(worker), '--fsize=1:']); // the soft limit only: it can be lifted again
      try {
        for (const n of [1, 2]) {
          const error = await client.enroll(`/CN=disk-full-${n}`).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(RemoteError);
          expect((error as RemoteError).failInfo).toEqual(['systemFailure']);
          const answer = decodePKIMessage(client.last.response!);
          expect(answer.body.type).toBe('error');
          if (answer.body.type !== 'error') return;
          expect(answer.body.content.pKIStatusInfo.statusString?.join(' ')).toMatch(/try again later/);
          await verifyProtection(answer, { mac: { secret: SECRET } });
        }
        // What a client without cmpkit sees: 200 application/pkixcmp, not a 500.
        const raw = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/pkixcmp' },
          body: Uint8Array.of(0x30, 0x00),
        });
        expect(raw.status).toBe(200);
        expect(raw.headers.get('content-type')).toBe('application/pkixcmp');
      } finally {
        execFileSync('prlimit', ['--pid', String(worker), '--fsize=unlimited:']);
      }
      await waitUntil(() => /cmp: store failure (transactionID=\S+ )?failures=2 /.test(server.log()), {
        what: 'the second store failure in the log',
      });
      expect(server.log()).not.toMatch(/internal server error|handler failed/);

      const after = await client.enroll('/CN=after');
      expect(server.workerPids()).toEqual([worker]); // the same worker: the fault cost no restart
      expect(serialOf(after)).toMatch(/^[0-9a-f]+$/);
    },
    180_000,
  );
});
