import { beforeAll, describe, expect, it } from 'vitest';
import { parseName, type DecodedPKIMessage, type PKIBody } from '@cmpkit/codec';
import { ProtocolError, type EnrollStep, type PollWait } from '@cmpkit/core';
import { clientSetup, failureOf, untilSleeping } from './helpers/client-setup.js';
import { certRep, issued, PKICONF, waiting, type Replier } from './helpers/scripted-server.js';
import { makeCsr } from './helpers/csr.js';
import { createTestPki, type TestPki } from './helpers/test-pki.js';

const SUBJECT = parseName('/O=cmpkit test/CN=device-0001');

let pki: TestPki;
let keyPair: CryptoKeyPair;
let certificate: Uint8Array;

beforeAll(async () => {
  pki = await createTestPki();
  keyPair = await pki.newKeyPair();
  certificate = await pki.issue(await pki.spkiOf(keyPair.publicKey));
});

const ipWaiting = (_: DecodedPKIMessage, reply: Replier) => reply(certRep('ip', waiting()));
const pollRep =
  (checkAfter: number, certReqId = 0) =>
  (request: DecodedPKIMessage, reply: Replier) => {
    expect(request.body).toEqual({ type: 'pollReq', content: [{ certReqId }] });
    return reply({ type: 'pollRep', content: [{ certReqId, checkAfter, reason: ['busy'] }] });
  };
const ipIssued = (request: DecodedPKIMessage, reply: Replier) => {
  expect(request.body.type).toBe('pollReq');
  return reply(certRep('ip', issued(certificate)));
};
const pkiconf = (_: DecodedPKIMessage, reply: Replier) => reply(PKICONF);

describe('enroll: polling (RFC 9810 5.3.22, RFC 9483 4.4)', () => {
  it('polls at once after waiting, then honours every checkAfter with the injected sleep', async () => {
    const { client, server, clock, sleeps } = clientSetup([ipWaiting, pollRep(5), pollRep(7), ipIssued, pkiconf]);
    const done = client.enroll({ keyPair, subject: SUBJECT });
    await untilSleeping(clock);
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir', 'pollReq']);
    clock.advance(4_999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.requests).toHaveLength(2); // not before checkAfter has passed
    clock.advance(1);
    await untilSleeping(clock);
    expect(server.requests).toHaveLength(3);
    clock.advance(7_000);
    const result = await done;
    expect(result.certificate).toEqual(certificate);
    expect(sleeps).toEqual([5_000, 7_000]);
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir', 'pollReq', 'pollReq', 'pollReq', 'certConf']);
    for (const request of server.requests) expect(request.header.transactionID).toEqual(server.requests[0]!.header.transactionID);
  });

  it('gives up without sleeping when checkAfter goes beyond the poll timeout', async () => {
    const { client, server, sleeps } = clientSetup([ipWaiting, pollRep(601)]);
    const error = await failureOf(client.enroll({ keyPair, subject: SUBJECT }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).failInfo).toEqual(['systemUnavail']);
    expect((error as Error).message).toMatch(/601 s more, beyond the poll timeout of 600 s/);
    expect(sleeps).toEqual([]);
    expect(server.requests).toHaveLength(2);
  });

  it('counts the poll timeout over the whole transaction', async () => {
    const { client, server, clock, sleeps } = clientSetup([ipWaiting, pollRep(6), pollRep(6)], { pollTimeout: 10 });
    const done = failureOf(client.enroll({ keyPair, subject: SUBJECT }));
    await untilSleeping(clock);
    clock.advance(6_000);
    const error = await done;
    expect((error as ProtocolError).failInfo).toEqual(['systemUnavail']);
    expect(sleeps).toEqual([6_000]);
    expect(server.requests).toHaveLength(3);
  });

  it('stops at once when the signal aborts during the wait', async () => {
    const { client, server, clock } = clientSetup([ipWaiting, pollRep(30)]);
    const controller = new AbortController();
    const done = failureOf(client.enroll({ keyPair, subject: SUBJECT, signal: controller.signal }));
    await untilSleeping(clock);
    const reason = new Error('user gave up');
    controller.abort(reason);
    await expect(done).resolves.toBe(reason);
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a pollRep for another certReqId, a negative checkAfter, and a final response that still waits', async () => {
    const other = clientSetup([ipWaiting, (_, reply) => reply({ type: 'pollRep', content: [{ certReqId: 5, checkAfter: 1 }] })]);
    await expect(other.client.enroll({ keyPair, subject: SUBJECT })).rejects.toThrow(/pollRep does not mention certReqId 0/);
    const negative = clientSetup([ipWaiting, pollRep(-1)]);
    await expect(negative.client.enroll({ keyPair, subject: SUBJECT })).rejects.toThrow(/checkAfter -1 is negative/);
    const again = clientSetup([ipWaiting, (_, reply) => reply(certRep('ip', waiting()))]);
    await expect(again.client.enroll({ keyPair, subject: SUBJECT })).rejects.toThrow(/still says waiting/);
    expect(again.server.requests).toHaveLength(2);
  });

  it('refuses a pollRep in answer to the ir itself', async () => {
    const { client } = clientSetup([(_, reply) => reply({ type: 'pollRep', content: [{ certReqId: 0, checkAfter: 1 }] })]);
    await expect(client.enroll({ keyPair, subject: SUBJECT })).rejects.toThrow(/expected ip but the response is pollRep/);
  });
});

describe('tryEnroll: the step API', () => {
  const noSleep = (): Promise<void> => {
    throw new Error('tryEnroll must not sleep');
  };

  it('returns each wait to the caller and never sleeps; next() sends one pollReq', async () => {
    const { client, server, clock } = clientSetup([ipWaiting, pollRep(5), ipIssued, pkiconf], { sleep: noSleep });
    let step: EnrollStep = await client.tryEnroll({ keyPair, subject: SUBJECT });
    expect(step).toMatchObject({ done: false, checkAfter: 0 });
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir']);
    if (step.done) throw new Error('unreachable');
    expect(step.transactionID).toEqual(server.requests[0]!.header.transactionID);
    const first = step;
    step = await first.next();
    expect(step).toMatchObject({ done: false, checkAfter: 5 });
    expect(server.requests).toHaveLength(2);
    await expect(first.next()).rejects.toThrow(TypeError); // each step moves on once
    expect(server.requests).toHaveLength(2);
    if (step.done) throw new Error('unreachable');
    clock.advance(5_000);
    step = await step.next();
    expect(step.done).toBe(true);
    if (!step.done) throw new Error('unreachable');
    expect(step.result.certificate).toEqual(certificate);
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir', 'pollReq', 'pollReq', 'certConf']);
  });

  it('is done in one call when the certificate comes at once', async () => {
    const { client, server } = clientSetup([(_, reply) => reply(certRep('ip', issued(certificate))), pkiconf], { sleep: noSleep });
    const step = await client.tryEnroll({ keyPair, subject: SUBJECT });
    expect(step.done).toBe(true);
    expect(server.requests.map((r) => r.body.type)).toEqual(['ir', 'certConf']);
  });

  it('refuses a step the host resumes after the poll timeout has passed', async () => {
    const { client, server, clock } = clientSetup([ipWaiting, pollRep(5)], { sleep: noSleep, pollTimeout: 60 });
    const first = await client.tryEnroll({ keyPair, subject: SUBJECT });
    if (first.done) throw new Error('unreachable');
    const second = await first.next();
    if (second.done) throw new Error('unreachable');
    clock.advance(61_000);
    await expect(second.next()).rejects.toMatchObject({ failInfo: ['systemUnavail'] });
    expect(server.requests).toHaveLength(2);
  });

  it('p10cr polls with the certReqId the CA answered (-1)', async () => {
    const { client, server } = clientSetup([
      (_, reply) => reply(certRep('cp', waiting(-1))),
      pollRep(0, -1),
      (_, reply) => reply(certRep('cp', issued(certificate, -1))),
      pkiconf,
    ]);
    await expect(client.enroll({ bodyType: 'p10cr', csr: await makeCsr(keyPair, SUBJECT) })).resolves.toMatchObject({ certificate });
    const bodies: PKIBody[] = server.requests.map((r) => r.body);
    expect(bodies[2]).toEqual({ type: 'pollReq', content: [{ certReqId: -1 }] });
  });

  it('tells onWaiting what the server said and when the next pollReq goes, before each wait', async () => {
    const waits: PollWait[] = [];
    const { client, server, clock } = clientSetup(
      [
        (_, reply) => reply(certRep('ip', { certReqId: 0, status: { status: 3, statusString: ['waiting for approval'] } })),
        pollRep(5),
        ipIssued,
        pkiconf,
      ],
      { onWaiting: (wait) => waits.push(wait) },
    );
    const done = client.enroll({ keyPair, subject: SUBJECT });
    await untilSleeping(clock);
    const transactionID = server.requests[0]!.header.transactionID;
    expect(waits).toEqual([
      { request: 'ir', transactionID, checkAfter: 0, reason: 'waiting for approval', polls: 0 },
      { request: 'ir', transactionID, checkAfter: 5, reason: 'busy', polls: 1 },
    ]);
    clock.advance(5_000);
    await done;
    expect(waits).toHaveLength(2);
  });
});
