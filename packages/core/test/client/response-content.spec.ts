// The client's checks of RFC 9483 section 4 response content: ip/cp/kup (status against
// certificate presence, caPubs) and genp (typed answers, certReqTemplate content). Each refusal
// is a typed error with exactly the failInfo asserted; the answer comes from a scripted server.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeInfoTypeAndValue,
  encodeInfoTypeAndValue,
  oids,
  parseName,
  type CertResponse,
  type DecodedPKIMessage,
  type InfoTypeAndValue,
  type PKIBody,
} from '@cmpkit/codec';
import { ProtocolError, RemoteError } from '@cmpkit/core';
import { clientSetup, failureOf } from './helpers/client-setup.js';
import { certRep, issued, type Replier } from './helpers/scripted-server.js';
import { createTestPki, newEnrollee, type Enrollee, type TestPki } from './helpers/test-pki.js';

const SUBJECT = parseName('/O=cmpkit test/CN=device-0001');

let pki: TestPki;
let ee: Enrollee;

beforeAll(async () => {
  pki = await createTestPki();
  ee = await newEnrollee(pki);
});

const answer = (body: PKIBody) => (_: DecodedPKIMessage, reply: Replier) => reply(body);

/** Expects `promise` to fail with a ProtocolError carrying exactly `failInfo`; returns its message. */
async function protocolFailure(promise: Promise<unknown>, failInfo: string): Promise<string> {
  const error = await failureOf(promise);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).failInfo).toEqual([failInfo]);
  return (error as Error).message;
}

describe('ip content (RFC 9483 4.1.1, RFC 9810 5.3.4)', () => {
  const refused: [string, (cert: Uint8Array) => CertResponse, RegExp][] = [
    ['accepted with a failInfo', (cert) => ({ ...issued(cert), status: { status: 0, failInfo: ['badPOP'] } }), /failInfo badPOP/],
    ['waiting with a certificate', (cert) => ({ ...issued(cert), status: { status: 3 } }), /status is waiting/],
    ['rejection with a certificate', (cert) => ({ ...issued(cert), status: { status: 2, failInfo: ['badPOP'] } }), /status is rejection/],
    ['revocationWarning', (cert) => ({ ...issued(cert), status: { status: 4 } }), /PKIStatus 4/],
    ['a status of 9', () => ({ certReqId: 0, status: { status: 9 } }), /PKIStatus 9/],
  ];

  it.each(refused)('an ip %s: ProtocolError badDataFormat, no certConf', async (_label, response, message) => {
    const { client, server } = clientSetup([answer(certRep('ip', response(ee.certificate)))]);
    expect(await protocolFailure(client.enroll({ keyPair: ee.keyPair, subject: SUBJECT }), 'badDataFormat')).toMatch(message);
    expect(server.requests).toHaveLength(1);
  });

  it('an accepted ip whose caPubs are no certificates: ProtocolError badDataFormat', async () => {
    const { client } = clientSetup([answer(certRep('ip', issued(ee.certificate), [Uint8Array.of(0x30, 0x00)]))]);
    expect(await protocolFailure(client.enroll({ keyPair: ee.keyPair, subject: SUBJECT }), 'badDataFormat')).toMatch(/caPubs/);
  });

  it("a rejected ip with caPubs (as OpenSSL's mock server sends): the caPubs are ignored, the rejection is a RemoteError", async () => {
    const { client } = clientSetup([
      answer(certRep('ip', { certReqId: 0, status: { status: 2, failInfo: ['badCertTemplate'] } }, [pki.root.certificate])),
    ]);
    const error = await failureOf(client.enroll({ keyPair: ee.keyPair, subject: SUBJECT }));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ failInfo: ['badCertTemplate'] });
  });
});

describe('genp content (RFC 9483 4.3)', () => {
  const genp = (items: InfoTypeAndValue[]) => answer({ type: 'genp', content: items });

  it("an answer whose value does not have its infotype's syntax: ProtocolError badDataFormat", async () => {
    const oid = encodeInfoTypeAndValue({ type: 'caCerts' }).subarray(2);
    const invalid = decodeInfoTypeAndValue(Uint8Array.of(0x30, oid.length + 2, ...oid, 0x04, 0x00));
    expect(invalid.type).toBe('invalid');
    const { client } = clientSetup([genp([invalid])]);
    expect(await protocolFailure(client.getCaCertificates(), 'badDataFormat')).toMatch(/wrong syntax/);
  });

  it('the asked infotype listed in unsupportedOIDs: ProtocolError badRequest naming it', async () => {
    const { client } = clientSetup([genp([{ type: 'unsupportedOIDs', infoValue: [oids.id_it_certReqTemplate] }])]);
    expect(await protocolFailure(client.getCertReqTemplate(), 'badRequest')).toMatch(/does not support genm certReqTemplate/);
  });

  it('two answers of the asked infotype: ProtocolError badDataFormat', async () => {
    const { client } = clientSetup([genp([{ type: 'crls' }, { type: 'crls' }])]);
    const status = { source: { type: 'issuer' as const, value: [{ type: 'directoryName' as const, value: SUBJECT }] } };
    expect(await protocolFailure(client.getCrls([status]), 'badDataFormat')).toMatch(/2 crls answers/);
  });

  it.each([
    [
      'a publicKey in the template',
      { certTemplate: { publicKey: { algorithm: { algorithm: oids.id_ecPublicKey }, subjectPublicKey: new Uint8Array(0) } } },
      /publicKey/,
    ],
    [
      'algId rsaEncryption (rsaKeyLen is for RSA)',
      { certTemplate: {}, keySpec: [{ type: 'algId' as const, value: { algorithm: oids.rsaEncryption } }] },
      /rsaEncryption/,
    ],
    // RsaKeyLenCtrl ::= INTEGER (1..MAX): the codec already keeps such an answer as 'invalid'.
    ['an rsaKeyLen of 0', { certTemplate: {}, keySpec: [{ type: 'rsaKeyLen' as const, value: 0 }] }, /wrong syntax/],
    [
      'another control in keySpec',
      { certTemplate: {}, keySpec: [{ type: 'regToken' as const, value: 'x' }] },
      /other than algId and rsaKeyLen/,
    ],
  ])('a certReqTemplate with %s: ProtocolError badDataFormat', async (_label, content, message) => {
    const { client } = clientSetup([genp([{ type: 'certReqTemplate', infoValue: content }])]);
    expect(await protocolFailure(client.getCertReqTemplate(), 'badDataFormat')).toMatch(message);
  });

  it('a certReqTemplate with algId and rsaKeyLen (RFC 9483 4.3.3): returned as sent', async () => {
    const content = {
      certTemplate: { subject: SUBJECT },
      keySpec: [
        {
          type: 'algId' as const,
          value: { algorithm: oids.id_ecPublicKey, parameters: { der: Uint8Array.of(0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22) } },
        },
        { type: 'rsaKeyLen' as const, value: 3072 },
      ],
    };
    const { client } = clientSetup([genp([{ type: 'certReqTemplate', infoValue: content }])]);
    await expect(client.getCertReqTemplate()).resolves.toEqual(content);
  });
});
