// Delayed delivery across a restart of the RA (RFC 9483 section 5.1.5): the job lives in the RA's
// store (RaJobStore), so the RA that comes up after the one that told the device to wait answers
// the device's next poll: it resumes polling in the CA's transaction where the first one left it,
// answers from the outcome the first one saved, takes up the job of one that died once its lease
// ended, or asks the CA again when the CA no longer has the saved transaction. Fake clock, loopback.
import { decodePKIMessage, parseName, type DecodedPKIMessage } from '@cmpkit/codec';
import {
  createClient,
  createRegistrationAuthority,
  memoryNonceStore,
  memoryRaJobStore,
  memorySecretStore,
  memoryTransactionStore,
  silentLogger,
  TransportError,
  type EnrollStep,
  type RegistrationAuthority,
} from '@cmpkit/core';
import { fakeClock, settleWithClock, waitUntil } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, newKeyPair, type TestPki } from '../server/support/pki.js';
import { createTestIssuer, type TestIssuer } from '../server/support/test-issuer.js';
import { makeServer, MAC, REF, SECRET } from '../server/support/wire.js';

const clock = fakeClock();
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

/** A CA whose issuer answers waiting for `pendingPolls` polls, and RAs on one set of stores, started and stopped at will. */
function setup(pendingPolls: number) {
  const issuer: TestIssuer = createTestIssuer(pki, { pendingPolls, checkAfter: 2 });
  const ca = makeServer({ pki, issuer });
  const seen: DecodedPKIMessage[] = [];
  const stores = {
    transactions: memoryTransactionStore(clock.date),
    nonces: memoryNonceStore(clock.date),
    raJobs: memoryRaJobStore(),
  };
  let current: RegistrationAuthority | undefined;
  /**
   * Starts an RA process; `link.down` cuts only this one from the CA (as if it had died),
   * `link.hold` keeps its next requests from leaving until `link.release()`.
   */
  function startRa() {
    const warnings: string[] = [];
    let release: () => void = () => {};
    const link = {
      down: false,
      hold: undefined as Promise<void> | undefined,
      held: 0,
      holdNext() {
        link.hold = new Promise<void>((resolve) => (release = resolve));
      },
      release: () => release(),
      warnings,
    };
    const upstream = createClient({
      transport: {
        async send(request) {
          if (link.down) throw new TransportError('connect ECONNREFUSED (test: this RA process is gone)');
          if (link.hold) {
            link.held++;
            await link.hold;
          }
          seen.push(decodePKIMessage(request));
          return ca.handle(request.slice());
        },
      },
      credential: pki.ra.credential,
      trust: { signature: { anchors: [pki.root.certificate] } },
      trustAnchors: [pki.root.certificate],
      clock: clock.date,
      sleep: clock.sleep,
    });
    current = createRegistrationAuthority({
      name: parseName('/O=cmpkit test/CN=Test RA'),
      protection: { signer: pki.ra.credential, secrets: memorySecretStore({ [REF]: SECRET }), trustAnchors: [pki.root.certificate] },
      upstream,
      delayedDelivery: { waitMs: 1000, checkAfter: 1, leaseSeconds: 10 },
      stores,
      clock: clock.date,
      sleep: clock.sleep,
      logger: { ...silentLogger, warn: (message) => warnings.push(message) },
    });
    return { ra: current, link };
  }
  const device = createClient({
    transport: { send: (request) => current!.handle(request.slice()) },
    credential: MAC,
    clock: clock.date,
    sleep: clock.sleep,
    trustAnchors: [pki.root.certificate],
  });
  return { issuer, seen, stores, startRa, device, types: () => seen.map((m) => m.body.type) };
}

/** The device's first step: the RA tells it to wait. */
async function waitingStep(device: ReturnType<typeof setup>['device'], cn: string): Promise<Extract<EnrollStep, { done: false }>> {
  const step = await settleWithClock(
    device.tryEnroll({ keyPair: await newKeyPair(), subject: parseName(`/O=cmpkit test/CN=${cn}`) }),
    clock,
    500,
  );
  expect(step.done).toBe(false);
  if (step.done) throw new Error('unreachable');
  return step;
}

/** Polls (advancing the clock by checkAfter) until the device has its certificate. */
async function pollToTheEnd(first: EnrollStep): Promise<Uint8Array> {
  let step = first;
  for (let i = 0; i < 30 && !step.done; i++) {
    clock.advance(step.checkAfter * 1000);
    step = await settleWithClock(step.next(), clock, 500);
  }
  expect(step.done).toBe(true);
  if (!step.done) throw new Error('unreachable');
  return step.result.certificate;
}

describe('delayed delivery across RA restarts', () => {
  it('a stopped RA: the next one resumes polling in the same CA transaction; the device gets its certificate', async () => {
    const s = setup(3);
    const first = s.startRa();
    const step = await waitingStep(s.device, 'restarted');
    await first.ra.close();
    expect(s.types()).toContain('ir');
    const polledBefore = s.types().filter((t) => t === 'pollReq').length;

    s.startRa();
    const certificate = await pollToTheEnd(step);
    expect(s.issuer.entryOf(certificate)?.confirmed).toBe(true);
    expect(s.issuer.requests).toHaveLength(1); // one CA transaction: resumed, not asked again
    expect(s.types().filter((t) => t === 'ir')).toHaveLength(1);
    expect(s.types().filter((t) => t === 'pollReq').length).toBeGreaterThan(polledBefore);
    expect(s.types().at(-1)).toBe('certConf');
  });

  it('an RA that died: the next one takes the job up once the lease ended', async () => {
    const s = setup(2);
    const first = s.startRa();
    let step = await waitingStep(s.device, 'crashed');
    first.link.down = true; // the first RA process is gone: it neither polls nor releases the job
    s.startRa();
    clock.advance(step.checkAfter * 1000);
    const stillHeld = await settleWithClock(step.next(), clock, 1); // within the lease: the job is the dead one's
    expect(stillHeld.done).toBe(false);
    if (stillHeld.done) return;
    step = stillHeld;
    clock.advance(11_000);
    const certificate = await pollToTheEnd(step);
    expect(s.issuer.entryOf(certificate)?.confirmed).toBe(true);
    expect(s.issuer.requests).toHaveLength(1);
  });

  it('a process whose lease ran out while it hung gives the job up to the one that took it over', async () => {
    const s = setup(3);
    const slow = s.startRa();
    const step = await waitingStep(s.device, 'hung');
    slow.link.holdNext(); // its next poll of the CA hangs
    await settleWithClock(
      waitUntil(() => slow.link.held > 0, { what: 'the first RA hanging in a poll' }),
      clock,
      500,
    );
    s.startRa();
    clock.advance(20_000); // beyond the hung process's lease
    const certificate = await pollToTheEnd(step);
    expect(s.issuer.entryOf(certificate)?.confirmed).toBe(true);
    slow.link.release(); // its late poll finds the CA's transaction moved on
    await waitUntil(() => slow.link.warnings.some((w) => w.includes('after another RA process took it over')), {
      what: 'the first RA giving the job up',
    });
    expect(s.issuer.requests).toHaveLength(1);
    expect(s.issuer.issued.size).toBe(1);
  });

  it('a job that finished before the restart is answered from the outcome the first RA saved', async () => {
    const s = setup(1);
    const first = s.startRa();
    const step = await waitingStep(s.device, 'finished');
    // The first RA's job runs on (the CA issues at the first poll, which needs no wait): polls
    // the CA, gets and confirms the certificate, saves it.
    await waitUntil(() => s.types().includes('certConf'), { what: 'the first RA confirming the certificate' });
    await first.ra.close();
    const sent = s.seen.length;
    s.startRa();
    const certificate = await pollToTheEnd(step);
    expect(s.issuer.entryOf(certificate)?.confirmed).toBe(true);
    expect(s.seen).toHaveLength(sent); // the second RA did not ask the CA at all
  });

  it('a saved state the CA no longer knows: the RA asks the CA again in a new transaction', async () => {
    const s = setup(3);
    const first = s.startRa();
    const step = await waitingStep(s.device, 'asked-again');
    await first.ra.close();
    // As if the first RA had polled once more after saving its state and died before saving the
    // answer: the saved recipNonce is no longer the CA's last senderNonce.
    const record = await s.stores.transactions.get(hex(step.transactionID));
    const ticket = record!.tickets[0]!.ticket;
    const stored = (await s.stores.raJobs.get(ticket))!;
    const now = clock.date().getTime();
    expect(await s.stores.raJobs.claim(ticket, 'test', now + 1, now)).toBe(true);
    const stale = { ...JSON.parse(stored.progress!), recipNonce: 'AAAAAAAAAAAAAAAAAAAAAA==' };
    expect(await s.stores.raJobs.progress(ticket, 'test', JSON.stringify(stale), now)).toBe(true);

    s.startRa();
    const certificate = await pollToTheEnd(step);
    expect(s.issuer.entryOf(certificate)?.confirmed).toBe(true);
    expect(s.types().filter((t) => t === 'ir')).toHaveLength(2);
    expect(await s.stores.raJobs.get(ticket)).toBeUndefined(); // collected: the job is gone
  });
});
