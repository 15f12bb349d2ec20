// createServer's onExchange hook: one call per answered message (inner messages of a nested one
// too), with the request, the response as sent, the requester and the failure behind an error.
import { decodePKIMessage, isCmpError } from '@cmpkit/codec';
import { createClient, type ServerExchange } from '@cmpkit/core';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { certBody, genmBody } from './support/bodies.js';
import { createTestPki, newKeyPair, type TestPki } from './support/pki.js';
import { createTestIssuer } from './support/test-issuer.js';
import { buildRequest, capturingLogger, exchangeRaw, MAC, makeServer, send } from './support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

function observed(options: { nonceFailure?: Error } = {}) {
  const exchanges: ServerExchange[] = [];
  const logger = capturingLogger();
  const failure = options.nonceFailure;
  const server = makeServer({
    pki,
    issuer: createTestIssuer(pki),
    logger,
    init: {
      onExchange: (exchange) => exchanges.push(exchange),
      ...(failure ? { stores: { nonces: { remember: () => Promise.reject(failure) } } } : {}),
    },
  });
  return { server, exchanges, logger };
}

describe('createServer onExchange', () => {
  it('tells an accepted request with its requester and the response as sent', async () => {
    const { server, exchanges } = observed();
    const { request, response } = await send(server, { body: await certBody('ir', await newKeyPair()), now: clock.date() });
    expect(exchanges).toHaveLength(1);
    const [exchange] = exchanges as [ServerExchange];
    expect(exchange.request?.body.type).toBe('ir');
    expect(exchange.transactionID).toEqual(request.header.transactionID);
    expect(exchange.response.body.type).toBe('ip');
    expect(exchange.response.header.senderNonce).toEqual(response.header.senderNonce);
    expect(exchange.response.protection).toEqual(response.protection);
    expect(exchange.requester?.kind).toBe('mac');
    expect(exchange.error).toBeUndefined();
    expect(exchange.relayed).toBe(false);
    expect(exchange.depth).toBe(0);
  });

  it('tells a refusal with the CmpError behind it, and an internal failure with the original error', async () => {
    const refused = observed();
    await send(refused.server, { body: genmBody(), protection: { secret: 'wrong', senderKID: '3078' }, now: clock.date() });
    const [badMac] = refused.exchanges as [ServerExchange];
    expect(badMac.response.body.type).toBe('error');
    expect(isCmpError(badMac.error) && badMac.error.failInfo).toEqual(['badMessageCheck']);
    expect(badMac.requester).toBeUndefined();

    const broken = new Error('disk on fire');
    const failing = observed({ nonceFailure: broken });
    await send(failing.server, { body: genmBody(), now: clock.date() });
    const [internal] = failing.exchanges as [ServerExchange];
    expect(internal.error).toBe(broken);
    expect(internal.requester?.kind).toBe('mac');
    const body = internal.response.body;
    expect(body.type === 'error' && body.content.pKIStatusInfo.failInfo).toEqual(['systemFailure']);
  });

  it('tells undecodable input (no request) and a message whose header alone decodes (its transactionID)', async () => {
    const { server, exchanges } = observed();
    await exchangeRaw(server, Uint8Array.of(0x30, 0x00));
    expect(exchanges[0]?.request).toBeUndefined();
    expect(exchanges[0]?.transactionID).toBeUndefined();
    expect(exchanges[0]?.response.body.type).toBe('error');

    // An empty genm retagged as an ir: the body does not decode, the header does.
    const { message, bytes } = await buildRequest({ body: { type: 'genm', content: [] }, now: clock.date() });
    const body = decodePKIMessage(bytes).raw.body;
    const broken = bytes.slice();
    broken[body.byteOffset - bytes.byteOffset] = 0xa0;
    await exchangeRaw(server, broken);
    expect(exchanges[1]?.request).toBeUndefined();
    expect(exchanges[1]?.transactionID).toEqual(message.header.transactionID);
  });

  it('tells every message inside a nested one with its depth', async () => {
    const { server, exchanges } = observed();
    const inner = decodePKIMessage((await buildRequest({ body: genmBody(), protection: MAC, now: clock.date() })).bytes);
    const ra = createClient({
      transport: { send: (request) => server.handle(request) },
      credential: pki.ra.credential,
      trust: { signature: { anchors: [pki.root.certificate] } },
      clock: clock.date,
    });
    await ra.sendNested([inner]);
    expect(exchanges.map((e) => [e.request?.body.type, e.response.body.type, e.depth])).toEqual([
      ['genm', 'genp', 1],
      ['nested', 'nested', 0],
    ]);
  });

  it('logs a hook that throws and answers the request all the same', async () => {
    const logger = capturingLogger();
    const server = makeServer({
      pki,
      issuer: createTestIssuer(pki),
      logger,
      init: {
        onExchange: () => {
          throw new Error('metrics broke');
        },
      },
    });
    const { response } = await send(server, { body: genmBody(), now: clock.date() });
    expect(response.body.type).toBe('genp');
    expect(logger.text()).toContain('cmp: onExchange failed {"error":"Error: metrics broke"}');
  });
});
