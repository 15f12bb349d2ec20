// client.resumeEnrollment: an enrollment that waits for the CA goes on from the plain-data state of
// one of its waiting steps, in another client instance (as another process would), in the CA's
// same transaction; the state survives JSON with base64 bytes.
import { decodePKIMessage, parseName } from '@cmpkit/codec';
import { createClient, type EnrollmentState } from '@cmpkit/core';
import { parseCertificate } from '@cmpkit/protection';
import { fakeClock, settleWithClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, newKeyPair, type TestPki } from '../server/support/pki.js';
import { createTestIssuer } from '../server/support/test-issuer.js';
import { MAC, makeServer } from '../server/support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

describe('resumeEnrollment', () => {
  it('a second client takes up the waiting transaction from its state: same transactionID, one request at the CA', async () => {
    const issuer = createTestIssuer(pki, { pendingPolls: 2, checkAfter: 3 });
    const server = makeServer({ pki, issuer });
    const sent: string[] = [];
    const transport = {
      async send(request: Uint8Array) {
        const message = decodePKIMessage(request);
        sent.push(`${message.body.type}:${Array.from(message.header.transactionID!, (b) => b.toString(16)).join('')}`);
        return server.handle(request);
      },
    };
    const init = { transport, credential: MAC, clock: clock.date, sleep: clock.sleep, trustAnchors: [pki.root.certificate] };
    const keyPair = await newKeyPair();
    const first = await createClient(init).tryEnroll({ keyPair, subject: parseName('/O=cmpkit test/CN=resumed') });
    expect(first.done).toBe(false);
    if (first.done) return;
    const polled = await first.next(); // pollRep: wait 3 s
    expect(polled.done).toBe(false);
    if (polled.done || !polled.state) throw new Error('a waiting step with a state was expected');
    expect(polled.checkAfter).toBe(3);

    // Through JSON, as a store keeps it.
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const saved = JSON.stringify(polled.state, (_key, value: unknown) => (value instanceof Uint8Array ? { b64: b64(value) } : value));
    const state = JSON.parse(saved, (_key, value: unknown) =>
      value && typeof value === 'object' && 'b64' in value ? unb64((value as { b64: string }).b64) : value,
    ) as EnrollmentState;

    clock.advance(3000);
    let step = createClient(init).resumeEnrollment(state);
    expect(step.done).toBe(false);
    if (step.done) return;
    expect(step.checkAfter).toBe(0);
    for (let i = 0; i < 5 && !step.done; i++) {
      clock.advance(step.checkAfter * 1000);
      step = await settleWithClock(step.next(), clock, 1000);
    }
    expect(step.done).toBe(true);
    if (!step.done) return;
    expect(parseCertificate(step.result.certificate).subject).toEqual(parseName('/O=cmpkit test/CN=resumed'));
    expect(issuer.entryOf(step.result.certificate)?.confirmed).toBe(true);
    const ids = new Set(sent.map((s) => s.split(':')[1]));
    expect(ids.size).toBe(1);
    expect(sent.map((s) => s.split(':')[0])).toEqual(['ir', 'pollReq', 'pollReq', 'certConf']);
  });

  it('a central key generation step carries no state (its decryption key cannot be saved)', async () => {
    const issuer = createTestIssuer(pki, { pendingPolls: 1 });
    const server = makeServer({ pki, issuer });
    const client = createClient({ transport: { send: (r) => server.handle(r) }, credential: MAC, clock: clock.date, sleep: clock.sleep });
    const step = await client.tryEnroll({
      subject: parseName('/O=cmpkit test/CN=central'),
      centralKeyGeneration: { decryptionKey: { password: 'perf-test-secret' } },
    });
    expect(step.done).toBe(false);
    if (!step.done) expect(step.state).toBeUndefined();
  });
});
