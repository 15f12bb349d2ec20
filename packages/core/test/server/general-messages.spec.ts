// RFC 9483 section 4.3 and RFC 9810 sections 5.3.19/5.3.20 (genm/genp) on the wire: each row of
// docs/CONFORMANCE.md section 4.3. A well-formed genm is answered with a genp holding one answer
// per item in order (plus unsupportedOIDs for what the server does not support); a genm whose
// item breaks its infotype's request syntax is refused as a whole with an error body, badRequest.
import { decodeInfoTypeAndValue, encodeInfoTypeAndValue, oids, type DecodedPKIMessage, type InfoTypeAndValue } from '@cmpkit/codec';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { genmBody } from './support/bodies.js';
import { tlv } from './support/csr.js';
import { createTestPki, type TestPki } from './support/pki.js';
import type { TestIssuerOptions } from './support/test-issuer.js';
import { expectErrorBody, send, type ServerSetup } from './support/wire.js';
import { wireEnv, type Exchange, type WireEnv } from './support/wire-env.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

/** The DER OBJECT IDENTIFIER of a P-256 curve. */
const P256 = tlv(0x06, Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07));

interface Env extends Omit<WireEnv, 'ask'> {
  ask(items: InfoTypeAndValue[], generalInfo?: InfoTypeAndValue[]): Promise<Exchange>;
}

/** A genm of `items` (and generalInfo) to an engine whose issuer has `options`. */
function env(options: TestIssuerOptions = {}, init?: ServerSetup['init']): Env {
  const e = wireEnv(pki, { issuer: options, ...(init ? { init } : {}) });
  return { ...e, ask: (items, generalInfo) => e.ask({ body: genmBody(items), ...(generalInfo ? { generalInfo } : {}) }) };
}

function genp(response: DecodedPKIMessage): InfoTypeAndValue[] {
  expect(response.body.type).toBe('genp');
  return response.body.type === 'genp' ? response.body.content : [];
}

/** An InfoTypeAndValue of `name` with a value: a NULL, or `value` when given, kept as it would arrive. */
function withValue(name: Exclude<InfoTypeAndValue['type'], 'other' | 'invalid'>, value = Uint8Array.of(0x05, 0x00)): InfoTypeAndValue {
  const oid = encodeInfoTypeAndValue({ type: name } as InfoTypeAndValue).subarray(2);
  return decodeInfoTypeAndValue(tlv(0x30, oid, value));
}

describe('items whose request value must be absent (RFC 9810 5.3.19.1-5.3.19.4, 5.3.19.6, 5.3.19.14, 5.3.19.16)', () => {
  it.each([
    'caCerts',
    'certReqTemplate',
    'currentCRL',
    'signKeyPairTypes',
    'encKeyPairTypes',
    'preferredSymmAlg',
    'caProtEncCert',
  ] as const)('%s with a value: error badRequest, no genp', async (name) => {
    const e = env();
    const item = withValue(name);
    const { response } = await e.ask([item]);
    expect(expectErrorBody(response, ['badRequest'])).toMatch(/value/);
  });

  it('a value of random bytes that is no DER element of the infotype (caCerts holding an OCTET STRING): error badRequest', async () => {
    const e = env();
    const { response } = await e.ask([withValue('caCerts', tlv(0x04, Uint8Array.of(1, 2, 3, 4)))]);
    expectErrorBody(response, ['badRequest']);
  });
});

describe('answers (RFC 9483 4.3.1-4.3.4, RFC 9810 5.3.19)', () => {
  it('caCerts: the CA certificates', async () => {
    const [item] = genp((await env().ask([{ type: 'caCerts' }])).response);
    expect(item).toEqual({ type: 'caCerts', infoValue: [{ der: pki.ca.certificate }, { der: pki.root.certificate }] });
  });

  it('an empty genm: the CA certificates', async () => {
    expect(genp((await env().ask([])).response)).toEqual([
      { type: 'caCerts', infoValue: [{ der: pki.ca.certificate }, { der: pki.root.certificate }] },
    ]);
  });

  it('rootCaCert without a value: rootCaKeyUpdate, absent when there is no update for an unnamed root', async () => {
    expect(genp((await env().ask([{ type: 'rootCaCert' }])).response)).toEqual([{ type: 'rootCaKeyUpdate' }]);
  });

  it('certReqTemplate: the template of the profile asked for, with keySpec', async () => {
    const [item] = genp((await env().ask([{ type: 'certReqTemplate' }])).response);
    expect(item?.type === 'certReqTemplate' && item.infoValue?.keySpec?.[0]).toEqual({
      type: 'algId',
      value: { algorithm: oids.id_ecPublicKey, parameters: { der: P256 } },
    });
  });

  it('currentCRL: the current CRL of the CA', async () => {
    const [item] = genp((await env().ask([{ type: 'currentCRL' }])).response);
    if (item?.type !== 'currentCRL' || !item.infoValue) throw new Error('no currentCRL');
    expect(item.infoValue.der[0]).toBe(0x30);
  });

  it('signKeyPairTypes: one id-ecPublicKey per curve, rsaEncryption, Ed25519 (the profiles accepting them for signing)', async () => {
    const [item] = genp((await env().ask([{ type: 'signKeyPairTypes' }])).response);
    if (item?.type !== 'signKeyPairTypes') throw new Error('no signKeyPairTypes');
    const algorithms = item.infoValue?.map((a) => a.algorithm);
    expect(algorithms).toEqual([oids.id_ecPublicKey, oids.id_ecPublicKey, oids.id_ecPublicKey, oids.rsaEncryption, oids.id_Ed25519]);
    expect(item.infoValue?.[0]?.parameters?.der).toEqual(P256);
  });

  it('encKeyPairTypes of a profile that allows no encryption: the item without a value', async () => {
    const { response } = await env().ask([{ type: 'encKeyPairTypes' }], [{ type: 'certProfile', infoValue: ['tlsClient'] }]);
    expect(genp(response)).toEqual([{ type: 'encKeyPairTypes' }]);
  });

  it('preferredSymmAlg: AES-256-CBC, what the server envelopes keys with', async () => {
    expect(genp((await env().ask([{ type: 'preferredSymmAlg' }])).response)).toEqual([
      { type: 'preferredSymmAlg', infoValue: { algorithm: oids.id_aes256_CBC } },
    ]);
  });

  it('caProtEncCert: absent without an encryption certificate, the certificate when the issuer has one', async () => {
    expect(genp((await env().ask([{ type: 'caProtEncCert' }])).response)).toEqual([{ type: 'caProtEncCert' }]);
    const withCert = env({ protocolEncryptionCertificate: pki.server.certificate });
    expect(genp((await withCert.ask([{ type: 'caProtEncCert' }])).response)).toEqual([
      { type: 'caProtEncCert', infoValue: { der: pki.server.certificate } },
    ]);
  });

  it('keyPairParamReq id-ecPublicKey: keyPairParamRep with the first curve; an algorithm not certified: the item without a value', async () => {
    const e = env();
    expect(genp((await e.ask([{ type: 'keyPairParamReq', infoValue: oids.id_ecPublicKey }])).response)).toEqual([
      { type: 'keyPairParamRep', infoValue: { algorithm: oids.id_ecPublicKey, parameters: { der: P256 } } },
    ]);
    expect(genp((await e.ask([{ type: 'keyPairParamReq', infoValue: oids.id_Ed448 }])).response)).toEqual([{ type: 'keyPairParamRep' }]);
  });
});

describe('suppLangTags (RFC 9810 5.3.19.13)', () => {
  it('answers the one language the server uses, for the first offered tag it serves', async () => {
    const e = env({}, { languageTags: ['en', 'de'] });
    expect(genp((await e.ask([{ type: 'suppLangTags', infoValue: ['fr', 'DE-at', 'en'] }])).response)).toEqual([
      { type: 'suppLangTags', infoValue: ['de'] },
    ]);
  });

  it('without a value: error badRequest', async () => {
    expectErrorBody((await env().ask([{ type: 'suppLangTags' }])).response, ['badRequest']);
  });

  it('with an empty list: error badRequest', async () => {
    expectErrorBody((await env().ask([{ type: 'suppLangTags', infoValue: [] }])).response, ['badRequest']);
  });

  it('with only unsupported tags: error badRequest ("an error MUST be returned")', async () => {
    const text = expectErrorBody((await env().ask([{ type: 'suppLangTags', infoValue: ['fr', 'ja'] }])).response, ['badRequest']);
    expect(text).toMatch(/fr, ja/);
  });
});

describe('items that need a value, unknown items, several items', () => {
  it.each([['crlStatusList'], ['keyPairParamReq']] as const)('%s without its value: error badRequest', async (name) => {
    expectErrorBody((await env().ask([{ type: name }])).response, ['badRequest']);
  });

  it('an unknown infoType: the genp lists it in unsupportedOIDs (RFC 9810 5.3.19.7)', async () => {
    const unknown: InfoTypeAndValue = { type: 'other', infoType: '1.3.6.1.4.1.99999.7' };
    expect(genp((await env().ask([unknown])).response)).toEqual([{ type: 'unsupportedOIDs', infoValue: ['1.3.6.1.4.1.99999.7'] }]);
  });

  it('several items: one answer each, in order, unsupported ones listed at the end', async () => {
    const items: InfoTypeAndValue[] = [
      { type: 'preferredSymmAlg' },
      { type: 'other', infoType: '1.3.6.1.4.1.99999.7' },
      { type: 'caCerts' },
      { type: 'revPassphrase', infoValue: { type: 'envelopedData', value: { der: tlv(0x30) } } },
    ];
    const answers = genp((await env().ask(items)).response);
    expect(answers.map((a) => a.type)).toEqual(['preferredSymmAlg', 'caCerts', 'unsupportedOIDs']);
    expect(answers[2]).toEqual({ type: 'unsupportedOIDs', infoValue: ['1.3.6.1.4.1.99999.7', oids.id_it_revPassphrase] });
  });

  it('one malformed item among good ones refuses the whole genm, and claims no transactionID', async () => {
    const e = env();
    const { request, response } = await e.ask([{ type: 'caCerts' }, withValue('preferredSymmAlg')]);
    expectErrorBody(response, ['badRequest']);
    const again = await send(e.server, {
      body: genmBody([{ type: 'caCerts' }]),
      transactionID: request.header.transactionID!,
      now: clock.date(),
    });
    expect(again.response.body.type).toBe('genp');
  });
});
