// A device polls an RA (cmpkit-server serve --role ra, a real process under its supervising
// primary) while the CA waits for an operator's approval; meanwhile the RA process is stopped and
// started again, and then its worker is killed (SIGKILL). The delayed-delivery job is in the RA's
// database: the device's polls keep being answered, and once the operator approves at the CA the
// device gets its certificate, from the same CA transaction the first RA process opened.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseName } from '@cmpkit/codec';
import { createClient, type EnrollStep } from '@cmpkit/core';
import { httpTransport } from '@cmpkit/transport-http';
import { waitUntil } from '@cmpkit/test-utils';
import { main } from '../../src/main.js';
import { startServerProcess, type ServerProcess } from '../postgres/server-process.js';
import { serialOf, tempDir } from '../helpers.js';
import { runCli } from '../run-cli.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** The CA, in this process. */
async function startCa(cwd: string): Promise<string> {
  const abort = new AbortController();
  let listening: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (listening = resolve));
  const done = main(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', 'ca', '--config', 'ca.json'], {
    cwd,
    signal: abort.signal,
    stdout: () => {},
    stderr: () => {},
    onListening: (a) => listening(a.url),
  });
  stops.push(() => (abort.abort(), done));
  return url;
}

const wait = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

describe('an RA restarted while a device polls it', () => {
  it('stopped and started again, then its worker killed: the device polls on and gets its certificate from one CA transaction', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.json'), JSON.stringify({ checkAfterSeconds: 1 }));
    const caUrl = await startCa(dir);
    expect((await runCli({ cwd: dir }, 'init', '--role', 'ra', '--ca-data-dir', 'ca', '--data-dir', 'ra')).status).toBe(0);
    writeFileSync(
      join(dir, 'ra.json'),
      JSON.stringify({
        dataDir: 'ra',
        role: 'ra',
        ra: { upstream: caUrl, delayedDelivery: { waitMs: 300, checkAfter: 1, leaseSeconds: 2 } },
      }),
    );
    const startRa = async (): Promise<ServerProcess> => {
      const ra = await startServerProcess(['--host', '127.0.0.1', '--config', join(dir, 'ra.json')]);
      stops.push(() => ra.stop());
      return ra;
    };
    let ra = await startRa();
    const device = createClient({
      // Whichever RA process runs now (a new process listens on a new port).
      transport: { send: (request, options) => httpTransport({ url: ra.url }).send(request, options) },
      credential: { secret: 'demo-secret-change-me', senderKID: 'demo' },
    });
    const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    let step: EnrollStep = await device.tryEnroll({ keyPair, subject: parseName('/CN=patient-device'), certProfile: 'approval' });
    expect(step.done).toBe(false);
    const poll = async (): Promise<void> => {
      if (step.done) return;
      await wait(step.checkAfter);
      step = await step.next();
    };

    await ra.stop();
    ra = await startRa();
    await poll();
    expect(step.done).toBe(false); // the CA still waits for the operator
    await waitUntil(() => ra.log().includes('took up a delayed-delivery job'), { what: 'the new RA process taking the job up' });

    const firstWorker = ra.workerPids().at(-1)!;
    process.kill(firstWorker, 'SIGKILL');
    await waitUntil(() => ra.workerPids().find((pid) => pid !== firstWorker), { timeoutMs: 60_000, what: 'a new RA worker' });

    const pending = await runCli({ cwd: dir }, 'pending', 'list', '--data-dir', 'ca');
    const id = /^\s*(\d+)\s/m.exec(pending.stdout)?.[1];
    expect(id, pending.stdout).toBeDefined();
    expect((await runCli({ cwd: dir }, 'pending', 'approve', id!, '--data-dir', 'ca')).status).toBe(0);

    const deadline = Date.now() + 90_000;
    while (!step.done && Date.now() < deadline) await poll();
    expect(step.done, `the RA's log:\n${ra.log()}`).toBe(true);
    if (!step.done) return;
    const serial = serialOf(step.result.certificate);
    const listed = (await runCli({ cwd: dir }, 'cert', 'list', '--data-dir', 'ca')).stdout;
    expect(listed).toMatch(new RegExp(`${serial}.*confirmed`));
    // One request at the CA: the RA processes went on in its transaction instead of asking again.
    const all = (await runCli({ cwd: dir }, 'pending', 'list', '--all', '--data-dir', 'ca')).stdout;
    expect(
      all
        .trim()
        .split('\n')
        .filter((line) => /^\s*\d+\s/.test(line)),
    ).toHaveLength(1);
  }, 180_000);
});
