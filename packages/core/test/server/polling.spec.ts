// RFC 9483 section 4.4 (delayed delivery) and RFC 9810 section 5.3.22 on the wire: each row of
// docs/CONFORMANCE.md section 4.4. The issuer answers `waiting` for a number of polls; pollReq
// messages are hand-built so that wrong ones can be sent too.
import type { DecodedPKIMessage, PKIBody } from '@cmpkit/codec';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { certBody, certConfBody, certRep, genmBody, issuedCertificate } from './support/bodies.js';
import { buildCsr } from './support/csr.js';
import { createTestPki, newKeyPair, type TestPki } from './support/pki.js';
import { expectErrorBody, fresh } from './support/wire.js';
import { wireEnv, type Exchange, type WireEnv } from './support/wire-env.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

interface Env extends WireEnv {
  /** A pollReq for `certReqIds` continuing `previous`. */
  poll(previous: Exchange, certReqIds: number[]): Promise<Exchange>;
}

/** An engine whose issuer answers `waiting` for `pendingPolls` polls, checkAfter 7. */
function env(pendingPolls: number): Env {
  const e = wireEnv(pki, { issuer: { pendingPolls, checkAfter: 7 } });
  return {
    ...e,
    poll: (previous, certReqIds) =>
      e.ask({
        body: { type: 'pollReq', content: certReqIds.map((certReqId) => ({ certReqId })) },
        transactionID: previous.request.header.transactionID!,
        recipNonce: previous.response.header.senderNonce!,
      }),
  };
}

function pollRep(response: DecodedPKIMessage) {
  expect(response.body.type).toBe('pollRep');
  return (response.body as Extract<PKIBody, { type: 'pollRep' }>).content;
}

/** An ir the issuer answers with `waiting`. */
async function waitingIr(e: Env): Promise<Exchange> {
  const first = await e.ask({ body: await certBody('ir', await newKeyPair()) });
  expect(certRep(first.response, 'ip').response).toEqual([{ certReqId: 0, status: { status: 3, statusString: ['waiting for approval'] } }]);
  return first;
}

describe('pollReq and pollRep (RFC 9483 4.4)', () => {
  it('certReqId 0 of a waiting ir: pollRep with certReqId 0 and the checkAfter, then the ip', async () => {
    const e = env(2);
    const first = await waitingIr(e);
    const second = await e.poll(first, [0]);
    expect(pollRep(second.response)).toEqual([{ certReqId: 0, checkAfter: 7 }]);
    const third = await e.poll(second, [0]);
    issuedCertificate(third.response, 'ip');
  });

  it('certReqId -1, "the complete response" (RFC 9810 5.3.22): pollRep with certReqId -1', async () => {
    const e = env(2);
    const first = await waitingIr(e);
    expect(pollRep((await e.poll(first, [-1])).response)).toEqual([{ certReqId: -1, checkAfter: 7 }]);
  });

  it('a p10cr waiting with certReqId -1: polled with -1, or 0 as CAs before RFC 9480 answered', async () => {
    const e = env(3);
    const first = await e.ask({ body: { type: 'p10cr', content: { der: await buildCsr(await newKeyPair(), '/CN=p10 polled') } } });
    expect(certRep(first.response, 'cp').response[0]).toMatchObject({ certReqId: -1, status: { status: 3 } });
    const second = await e.poll(first, [-1]);
    expect(pollRep(second.response)).toEqual([{ certReqId: -1, checkAfter: 7 }]);
    expect(pollRep((await e.poll(second, [0])).response)).toEqual([{ certReqId: 0, checkAfter: 7 }]);
  });

  it('more than one certReqId: error badRequest', async () => {
    const e = env(2);
    const first = await waitingIr(e);
    expect(expectErrorBody((await e.poll(first, [0, 0])).response, ['badRequest'])).toMatch(/exactly one/);
    expect(e.issuer.polls).toHaveLength(0);
  });

  it('no certReqId at all: error badRequest', async () => {
    const e = env(2);
    expectErrorBody((await e.poll(await waitingIr(e), [])).response, ['badRequest']);
  });

  it('a certReqId that is not waiting: error badCertId', async () => {
    const e = env(2);
    expectErrorBody((await e.poll(await waitingIr(e), [5])).response, ['badCertId']);
  });

  it('a recipNonce that is not the last senderNonce: error badRecipientNonce', async () => {
    const e = env(2);
    const first = await waitingIr(e);
    const { response } = await e.ask({
      body: { type: 'pollReq', content: [{ certReqId: 0 }] },
      transactionID: first.request.header.transactionID!,
      recipNonce: fresh(),
    });
    expectErrorBody(response, ['badRecipientNonce']);
  });
});

describe('pollReq outside a waiting transaction', () => {
  it('for a transaction awaiting certConf (nothing waits): error badRequest', async () => {
    const e = env(0);
    const ir = await e.ask({ body: await certBody('ir', await newKeyPair()) });
    issuedCertificate(ir.response, 'ip');
    expectErrorBody((await e.poll(ir, [0])).response, ['badRequest']);
  });

  it('for a finished transaction (after pkiConf): error badRequest', async () => {
    const e = env(0);
    const ir = await e.ask({ body: await certBody('ir', await newKeyPair()) });
    const conf = await e.ask({
      body: await certConfBody(issuedCertificate(ir.response, 'ip')),
      transactionID: ir.request.header.transactionID!,
      recipNonce: ir.response.header.senderNonce!,
    });
    expect(conf.response.body.type).toBe('pkiconf');
    expect(expectErrorBody((await e.poll(conf, [0])).response, ['badRequest'])).toMatch(/no open transaction/);
  });

  it('for a transactionID never seen: error badRequest', async () => {
    const e = env(0);
    const { response } = await e.ask({ body: { type: 'pollReq', content: [{ certReqId: 0 }] }, recipNonce: fresh() });
    expectErrorBody(response, ['badRequest']);
  });

  it('for a genm that was answered at once: error badRequest', async () => {
    const e = env(0);
    const genm = await e.ask({ body: genmBody() });
    expect(genm.response.body.type).toBe('genp');
    expectErrorBody((await e.poll(genm, [-1])).response, ['badRequest']);
  });
});
