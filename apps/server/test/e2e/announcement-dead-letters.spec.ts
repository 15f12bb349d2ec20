import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePem } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { waitUntil } from '@cmpkit/test-utils';
import { tempDir } from '../helpers.js';
import { runAdmin, runClient, startListener, startServer, type RunningListener, type RunningServer } from './e2e-harness.js';

// Announcements pushed over HTTP (RFC 9811 3.7) that cannot be delivered do not block the
// recipient's queue: after `announcements.maxAttempts` tries they are moved aside as dead
// letters, visible and re-queueable with `cmpkit-server announcements dead-letter`.

let server: RunningServer | undefined;
const listeners: RunningListener[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
  for (const close of closers.splice(0)) await close();
  await server?.stop();
  server = undefined;
});

/** A server that retries fast: three tries 0.1 s and 0.2 s apart, its safety net every 0.1 s. */
async function retryingServer(): Promise<RunningServer> {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ announcementFlushSeconds: 0.1, announcements: { maxAttempts: 3, retrySeconds: 0.1, maxRetrySeconds: 0.2 } }),
  );
  server = await startServer(dir, '--config', join(dir, 'config.json'));
  return server;
}

async function enroll(s: RunningServer, name: string): Promise<string> {
  const ir = await runClient(
    'ir',
    '--server',
    s.httpUrl,
    '--ref',
    'demo',
    '--secret',
    'pass:demo-secret-change-me',
    '--trusted',
    s.root,
    '--newkey',
    'ec:P-256',
    '--newkeyout',
    join(s.dir, `${name}.key.pem`),
    '--subject',
    `/CN=${name}`,
    '--certout',
    join(s.dir, `${name}.pem`),
  );
  expect(ir.stderr).toBe('');
  return parseCertificate(decodePem(readFileSync(join(s.dir, `${name}.pem`), 'utf8'))[0]!.der).serialNumber.toString(16);
}

/**
 * A TCP proxy in front of `target` that passes every request on but, while `dropping`, throws
 * the answers away and cuts the connection once one came: the receiver took the announcement,
 * the sender never hears so.
 */
async function answerDroppingProxy(target: URL): Promise<{ url: string; dropping: boolean; requests: number }> {
  const state = { url: '', dropping: true, requests: 0 };
  const proxy: TcpServer = createTcpServer((client: Socket) => {
    state.requests++;
    const upstream = connect(Number(target.port), target.hostname);
    const dropping = state.dropping;
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (dropping) client.destroy();
      else client.write(chunk);
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => proxy.close(() => resolve())));
  const port = (proxy.address() as { port: number }).port;
  state.url = `http://127.0.0.1:${port}${target.pathname}`;
  return state;
}

/** An admin command with the server's configuration (the retry settings apply to its own tries too). */
const admin = (s: RunningServer, ...argv: string[]) => runAdmin(s, ...argv, '--config', join(s.dir, 'config.json'));

const deadLetters = async (s: RunningServer): Promise<Array<{ id: string; type: string; subject: string; attempts: number }>> =>
  JSON.parse((await admin(s, 'announcements', 'dead-letter', 'list', '--json')).stdout);

describe('announcements that cannot be delivered', () => {
  it('moves an announcement whose answer a proxy keeps dropping aside after maxAttempts; the next one goes out; retry and drop', async () => {
    const s = await retryingServer();
    const serial = await enroll(s, 'device-p');
    const listener = startListener('--server', s.httpUrl, '--http-listen', '127.0.0.1:0', '--trusted', s.root);
    listeners.push(listener);
    const [, url] = await listener.waitFor(/pushed over HTTP on (http:\/\/\S+)/);
    const proxy = await answerDroppingProxy(new URL(url!));
    expect((await admin(s, 'subscriber', 'add', proxy.url, '--subject', '/CN=device-p')).status).toBe(0);

    // The listener gets the renew-request at once, but the command never hears so.
    const request = await admin(s, 'renew-request', '--serial', serial, '--before', '+30d');
    expect(request.stdout).toContain('stored for the running server to deliver');
    await listener.waitFor(new RegExp(`rann: revocationWarning serial=${serial} `));
    // The running server tries twice more, then moves it aside.
    const [letter] = await waitUntil(async () => {
      const letters = await deadLetters(s);
      return letters.length ? letters : undefined;
    });
    expect(letter).toMatchObject({ type: 'rann', subject: '/CN=device-p', attempts: 3 });
    expect(proxy.requests).toBe(3);
    expect(s.stderr()).toMatch(/dead letter/);

    // The queue is not blocked: the next announcement to the same end entity goes out.
    proxy.dropping = false;
    const revoke = await admin(s, 'revoke', '--serial', serial);
    expect(revoke.stdout).toContain('revocation announced to /CN=device-p: posted');
    await listener.waitFor(new RegExp(`rann: accepted serial=${serial} `));

    // Put back by the operator it is tried at once (the listener has seen it: a duplicate).
    const retry = await admin(s, 'announcements', 'dead-letter', 'retry', letter!.id);
    expect(retry.stdout).toMatch(
      new RegExp(`^${letter!.id} to /CN=device-p: (posted|queued again for the running server to deliver) \\(new ID \\d+\\)`),
    );
    expect((await deadLetters(s)).map((l) => l.id)).not.toContain(letter!.id);
    expect((await admin(s, 'announcements', 'dead-letter', 'retry', letter!.id)).status).toBe(2);
    const status = await admin(s, 'announcements');
    expect(status.stdout).toMatch(/^recipients: \d+\ndeliveries waiting: \d+\ndead letters: \d+\n$/);
  }, 120_000);

  it('does not let a subscriber that never acknowledges block later announcements: each is moved aside in turn, then dropped', async () => {
    const s = await retryingServer();
    const serial = await enroll(s, 'device-q');
    let posts = 0;
    const refusing: Server = createHttpServer((request, response) => {
      posts++;
      request.resume();
      request.on('end', () => response.writeHead(503).end());
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => refusing.close(() => resolve())));
    const url = `http://127.0.0.1:${(refusing.address() as { port: number }).port}/ee`;
    // The startup CRL is announced (crlann, to no one yet) on the server's first tick; a subscriber
    // added before that tick would get it as a third announcement to refuse.
    await waitUntil(() => /announced a new CRL crlNumber=1 /.test(s.stderr()));
    expect((await admin(s, 'subscriber', 'add', url, '--subject', '/CN=device-q')).status).toBe(0);

    await admin(s, 'renew-request', '--serial', serial, '--before', '+30d');
    await admin(s, 'renew-request', '--serial', serial, '--before', '+20d');
    const letters = await waitUntil(async () => {
      const found = await deadLetters(s);
      return found.length === 2 ? found : undefined;
    });
    expect(letters.map((l) => [l.type, l.subject, l.attempts])).toEqual([
      ['rann', '/CN=device-q', 3],
      ['rann', '/CN=device-q', 3],
    ]);
    expect(posts).toBe(6);
    expect((await admin(s, 'announcements', 'dead-letter', 'drop', '--all', '--subject', '/CN=device-q')).stdout).toBe(
      'dropped 2 dead letters\n',
    );
    expect(await deadLetters(s)).toEqual([]);
  }, 120_000);
});
