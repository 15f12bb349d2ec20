// The CA side of nested messages (RFC 9810 section 5.1.3.5, RFC 9483 section 5.2.2): only an
// authorised RA may send them, every inner message is processed as a request of its own, and the
// answer holds each inner response in order.
import { decodePKIMessage, type DecodedPKIMessage } from '@cmpkit/codec';
import { createClient, type CmpServer } from '@cmpkit/core';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { certBody, genmBody } from './support/bodies.js';
import { createTestPki, newKeyPair, type Holder, type TestPki } from './support/pki.js';
import { createTestIssuer } from './support/test-issuer.js';
import { buildRequest, expectErrorBody, makeServer, MAC } from './support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

function raClient(server: CmpServer, holder: Holder) {
  return createClient({
    transport: { send: (request) => server.handle(request) },
    credential: holder.credential,
    trust: { signature: { anchors: [pki.root.certificate] } },
    clock: clock.date,
  });
}

async function inner(
  body: Parameters<typeof buildRequest>[0]['body'],
  protection: Parameters<typeof buildRequest>[0]['protection'] = MAC,
): Promise<DecodedPKIMessage> {
  return decodePKIMessage((await buildRequest({ body, protection, now: clock.date() })).bytes);
}

describe('nested messages at the CA', () => {
  it('answers every inner message, in order, each with its own response (bad ones with an error)', async () => {
    const issuer = createTestIssuer(pki);
    const server = makeServer({ pki, issuer });
    const messages = [
      await inner(await certBody('ir', await newKeyPair(), { subject: '/O=cmpkit test/CN=first' })),
      await inner(genmBody()),
      await inner(genmBody(), { secret: 'not the secret', senderKID: '3078' }),
      await inner(await certBody('ir', await newKeyPair(), { subject: '/O=cmpkit test/CN=second' })),
    ];
    const responses = await raClient(server, pki.ra).sendNested(messages);
    expect(responses.map((r) => r.body.type)).toEqual(['ip', 'genp', 'error', 'ip']);
    responses.forEach((r, i) => {
      expect(r.header.transactionID).toEqual(messages[i]!.header.transactionID);
      expect(r.header.recipNonce).toEqual(messages[i]!.header.senderNonce);
    });
    expectErrorBody(responses[2]!, ['badMessageCheck']);
    expect(issuer.issued.size).toBe(2);
    expect([...issuer.issued.values()].every((e) => e.request.requester.kind === 'mac')).toBe(true);
  });

  it('refuses a nested message from a signer without id-kp-cmcRA, and processes none of its inner messages', async () => {
    const issuer = createTestIssuer(pki);
    const server = makeServer({ pki, issuer });
    const messages = [await inner(await certBody('ir', await newKeyPair(), { subject: '/O=cmpkit test/CN=smuggled' }))];
    const error = await raClient(server, pki.other)
      .sendNested(messages)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ failInfo: ['notAuthorized'] });
    expect(issuer.issued.size).toBe(0);
  });

  it('refuses a MAC-protected nested message with wrongIntegrity (a shared secret does not make an RA)', async () => {
    const issuer = createTestIssuer(pki);
    const server = makeServer({ pki, issuer });
    const messages = [await inner(genmBody())];
    const macRa = createClient({ transport: { send: (request) => server.handle(request) }, credential: MAC, clock: clock.date });
    const error = await macRa.sendNested(messages).catch((e: unknown) => e);
    expect(error).toMatchObject({ failInfo: ['wrongIntegrity'] });
  });
});
