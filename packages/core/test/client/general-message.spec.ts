import { beforeAll, describe, expect, it } from 'vitest';
import { createCrossCertificates, createSelfSignedCa, type CrossCertificates, type GeneratedCa } from '@cmpkit/ca';
import { type CertReqTemplateContent, type DecodedPKIMessage, type InfoTypeAndValue, type PKIBody } from '@cmpkit/codec';
import { CRLReason, ProtocolError, RemoteError } from '@cmpkit/core';
import { parseCertificate, ProtectionError } from '@cmpkit/protection';
import { clientSetup, failureOf, untilSleeping } from './helpers/client-setup.js';
import type { Replier } from './helpers/scripted-server.js';
import { createTestPki, T0, type TestPki } from './helpers/test-pki.js';

let pki: TestPki;
let newRoot: GeneratedCa;
let rollover: CrossCertificates;
let forged: CrossCertificates;

beforeAll(async () => {
  pki = await createTestPki();
  const clock = (): Date => new Date(T0.getTime() - 3_600_000);
  newRoot = await createSelfSignedCa({ subject: '/O=cmpkit test/CN=Test Root CA G2', clock });
  rollover = await createCrossCertificates(pki.root, newRoot);
  // The same new root, "certified" by another root that carries the old root's name.
  forged = await createCrossCertificates(pki.rogue.root, newRoot);
});

const genp = (items: InfoTypeAndValue[]) => (_: DecodedPKIMessage, reply: Replier) => reply({ type: 'genp', content: items });
const genmItems = (request: DecodedPKIMessage): InfoTypeAndValue[] => (request.body as Extract<PKIBody, { type: 'genm' }>).content;

describe('general messages', () => {
  it('generalMessage sends the items and certProfile, returns the genp items', async () => {
    const ecdsa = [{ algorithm: '1.2.840.10045.4.3.2' }];
    const { client, server } = clientSetup([genp([{ type: 'signKeyPairTypes', infoValue: ecdsa }])]);
    await expect(client.generalMessage([{ type: 'signKeyPairTypes' }], { certProfile: 'device' })).resolves.toEqual([
      { type: 'signKeyPairTypes', infoValue: ecdsa },
    ]);
    expect(genmItems(server.requests[0]!)).toEqual([{ type: 'signKeyPairTypes' }]);
    expect(server.requests[0]!.header.generalInfo).toEqual([{ type: 'certProfile', infoValue: ['device'] }]);
  });

  it('getCaCertificates returns the caCerts', async () => {
    const { client, server } = clientSetup([
      genp([{ type: 'caCerts', infoValue: [{ der: pki.root.certificate }, { der: pki.issuing.certificate }] }]),
    ]);
    await expect(client.getCaCertificates()).resolves.toEqual([pki.root.certificate, pki.issuing.certificate]);
    expect(genmItems(server.requests[0]!)).toEqual([{ type: 'caCerts' }]);
  });

  it('getCaCertificates: none when the genp has no answer; refuses two answers', async () => {
    const none = clientSetup([genp([])]);
    await expect(none.client.getCaCertificates()).resolves.toEqual([]);
    const one = [{ der: pki.root.certificate }];
    const two = clientSetup([
      genp([
        { type: 'caCerts', infoValue: one },
        { type: 'caCerts', infoValue: one },
      ]),
    ]);
    await expect(two.client.getCaCertificates()).rejects.toThrow(/genp holds 2 caCerts answers/);
  });

  it('getCertReqTemplate returns the template, undefined without one', async () => {
    const template: CertReqTemplateContent = { certTemplate: { subject: pki.ee.subject } };
    const { client } = clientSetup([genp([{ type: 'certReqTemplate', infoValue: template }])]);
    await expect(client.getCertReqTemplate()).resolves.toEqual(template);
    const empty = clientSetup([genp([{ type: 'certReqTemplate' }])]);
    await expect(empty.client.getCertReqTemplate()).resolves.toBeUndefined();
  });

  it('getCrls sends the CRL status list and returns the CRLs', async () => {
    const crl = await pki.ca.createCrl({ entries: [], nextUpdate: new Date(T0.getTime() + 86_400_000), crlNumber: 1n });
    const { client, server } = clientSetup([genp([{ type: 'crls', infoValue: [{ der: crl }] }])]);
    const status = [
      {
        source: {
          type: 'dpn' as const,
          value: { type: 'fullName' as const, value: [{ type: 'uniformResourceIdentifier' as const, value: 'http://crl.example/ca.crl' }] },
        },
      },
    ];
    await expect(client.getCrls(status)).resolves.toEqual([crl]);
    expect(genmItems(server.requests[0]!)).toEqual([{ type: 'crlStatusList', infoValue: status }]);
  });

  it('a genm answered with a waiting error is polled with certReqId -1', async () => {
    const { client, server, clock, sleeps } = clientSetup([
      (_, reply) => reply({ type: 'error', content: { pKIStatusInfo: { status: 3 } } }),
      (_, reply) => reply({ type: 'pollRep', content: [{ certReqId: -1, checkAfter: 2 }] }),
      genp([{ type: 'caCerts', infoValue: [{ der: pki.root.certificate }] }]),
    ]);
    const done = client.getCaCertificates();
    await untilSleeping(clock);
    clock.advance(2_000);
    await expect(done).resolves.toEqual([pki.root.certificate]);
    expect(sleeps).toEqual([2_000]);
    expect(server.requests.map((r) => r.body)).toMatchObject([
      { type: 'genm' },
      { type: 'pollReq', content: [{ certReqId: -1 }] },
      { type: 'pollReq' },
    ]);
  });

  it('tells onWaiting about the waiting error and each pollRep of a genm', async () => {
    const waits: unknown[] = [];
    const { client, clock } = clientSetup(
      [
        (_, reply) => reply({ type: 'error', content: { pKIStatusInfo: { status: 3, statusString: ['CA busy'] } } }),
        (_, reply) => reply({ type: 'pollRep', content: [{ certReqId: -1, checkAfter: 2, reason: ['still busy'] }] }),
        genp([{ type: 'caCerts', infoValue: [{ der: pki.root.certificate }] }]),
      ],
      { onWaiting: ({ request, checkAfter, reason, polls }) => waits.push({ request, checkAfter, reason, polls }) },
    );
    const done = client.getCaCertificates();
    await untilSleeping(clock);
    clock.advance(2_000);
    await done;
    expect(waits).toEqual([
      { request: 'genm', checkAfter: 0, reason: 'CA busy', polls: 0 },
      { request: 'genm', checkAfter: 2, reason: 'still busy', polls: 1 },
    ]);
  });

  it('a genm refused with an error body rejects with RemoteError', async () => {
    const { client } = clientSetup([
      (_, reply) => reply({ type: 'error', content: { pKIStatusInfo: { status: 2, failInfo: ['badRequest'] } } }),
    ]);
    await expect(client.getCaCertificates()).rejects.toBeInstanceOf(RemoteError);
  });
});

describe('getRootCaUpdate (RFC 9483 4.3.2)', () => {
  const update = (content: { newWithNew: Uint8Array; newWithOld?: Uint8Array; oldWithNew?: Uint8Array }) =>
    genp([
      {
        type: 'rootCaKeyUpdate',
        infoValue: {
          newWithNew: { der: content.newWithNew },
          ...(content.newWithOld ? { newWithOld: { der: content.newWithOld } } : {}),
          ...(content.oldWithNew ? { oldWithNew: { der: content.oldWithNew } } : {}),
        },
      },
    ]);

  it('returns a verified rollover and sends the old root', async () => {
    const { client, server } = clientSetup([update(rollover)]);
    await expect(client.getRootCaUpdate(pki.root.certificate)).resolves.toEqual(rollover);
    expect(genmItems(server.requests[0]!)).toEqual([{ type: 'rootCaCert', infoValue: { der: pki.root.certificate } }]);
  });

  it('accepts an update without oldWithNew', async () => {
    const { client } = clientSetup([update({ newWithNew: rollover.newWithNew, newWithOld: rollover.newWithOld })]);
    await expect(client.getRootCaUpdate(pki.root.certificate)).resolves.toEqual({
      newWithNew: rollover.newWithNew,
      newWithOld: rollover.newWithOld,
    });
  });

  it('returns undefined when there is no update', async () => {
    const { client } = clientSetup([genp([])]);
    await expect(client.getRootCaUpdate(pki.root.certificate)).resolves.toBeUndefined();
  });

  it("refuses newWithOld signed by another key under the old root's name", async () => {
    const { client } = clientSetup([update({ ...rollover, newWithOld: forged.newWithOld })]);
    const error = await failureOf(client.getRootCaUpdate(pki.root.certificate));
    expect(error).toBeInstanceOf(ProtectionError);
    expect((error as ProtectionError).failInfo).toEqual(['signerNotTrusted']);
  });

  it('refuses an update without newWithOld', async () => {
    const { client } = clientSetup([update({ newWithNew: rollover.newWithNew, oldWithNew: rollover.oldWithNew })]);
    await expect(client.getRootCaUpdate(pki.root.certificate)).rejects.toMatchObject({ failInfo: ['badDataFormat'] });
  });

  it('refuses a genuine newWithOld paired with another new root', async () => {
    const { client } = clientSetup([update({ newWithNew: pki.rogue.root.certificate, newWithOld: rollover.newWithOld })]);
    const error = await failureOf(client.getRootCaUpdate(pki.root.certificate));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/newWithOld does not certify the key and name of newWithNew/);
  });

  it('refuses an oldWithNew that certifies another key than the old root', async () => {
    const { client } = clientSetup([update({ ...rollover, oldWithNew: forged.oldWithNew })]);
    await expect(client.getRootCaUpdate(pki.root.certificate)).rejects.toThrow(/oldWithNew does not certify/);
  });

  it('refuses an oldWithNew not signed by the new root', async () => {
    const other = await createSelfSignedCa({
      subject: '/O=cmpkit test/CN=Test Root CA G2',
      clock: () => new Date(T0.getTime() - 3_600_000),
    });
    const foreign = await createCrossCertificates(pki.root, other);
    const { client } = clientSetup([update({ ...rollover, oldWithNew: foreign.oldWithNew })]);
    await expect(client.getRootCaUpdate(pki.root.certificate)).rejects.toBeInstanceOf(ProtectionError);
  });
});

describe('revoke (RFC 9483 4.2)', () => {
  it("sends rr with the certificate's issuer, serial and reason; returns the rp status", async () => {
    const { client, server } = clientSetup([(_, reply) => reply({ type: 'rp', content: { status: [{ status: 0 }] } })]);
    const result = await client.revoke({ certificate: pki.ee.certificate, reason: CRLReason.keyCompromise });
    expect(result.status).toBe(0);
    expect(result.transactionID).toEqual(server.requests[0]!.header.transactionID);
    const body = server.requests[0]!.body as Extract<PKIBody, { type: 'rr' }>;
    expect(body.content).toHaveLength(1);
    const ee = parseCertificate(pki.ee.certificate);
    expect(body.content[0]!.certDetails).toEqual({ issuer: ee.issuer, serialNumber: ee.serialNumber });
    expect(body.content[0]!.crlEntryDetails).toEqual([{ extnID: '2.5.29.21', extnValue: Uint8Array.of(0x0a, 0x01, 0x01) }]);
  });

  it('an rp with status revocationWarning is a success with the warning (as OpenSSL counts it); waiting is not', async () => {
    const warned = clientSetup([
      (_, reply) => reply({ type: 'rp', content: { status: [{ status: 4, statusString: ['revoked; the key was still in use'] }] } }),
    ]);
    const result = await warned.client.revoke({ certificate: pki.ee.certificate });
    expect(result).toMatchObject({ status: 4, statusString: ['revoked; the key was still in use'] });
    const waiting = clientSetup([(_, reply) => reply({ type: 'rp', content: { status: [{ status: 3 }] } })]);
    expect(await failureOf(waiting.client.revoke({ certificate: pki.ee.certificate }))).toBeInstanceOf(RemoteError);
  });

  it('a rejected rp becomes a RemoteError', async () => {
    const { client } = clientSetup([(_, reply) => reply({ type: 'rp', content: { status: [{ status: 2, failInfo: ['certRevoked'] }] } })]);
    const error = await failureOf(client.revoke({ certificate: pki.ee.certificate }));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ bodyType: 'rp', failInfo: ['certRevoked'] });
  });

  it('refuses an invalid reason without sending anything', async () => {
    const { client, server } = clientSetup([]);
    await expect(client.revoke({ certificate: pki.ee.certificate, reason: 7 })).rejects.toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(0);
  });
});
