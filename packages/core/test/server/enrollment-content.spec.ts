// RFC 9483 section 4.1 (ir, cr, kur, p10cr content) on the wire: each row of docs/CONFORMANCE.md
// section 4.1 sends hand-built DER and asserts the body type, the PKIStatus and the exact failInfo
// bits of the answer. A refused request is answered in the ip/cp/kup (one CertResponse carrying
// the rejection), never by issuing anything.
import {
  decodeInfoTypeAndValue,
  encodeExtensions,
  encodeInfoTypeAndValue,
  oids,
  type CertReqMsg,
  type DecodedPKIMessage,
  type Extension,
  type FailInfoBit,
} from '@cmpkit/codec';
import type { ServerPolicy } from '@cmpkit/core';
import { createPOPOSigningKey, parseCertificate } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { certBody, certRep, certReqMsg, issuedCertificate, spkiOf } from './support/bodies.js';
import { buildCsr, tlv } from './support/csr.js';
import { createTestPki, newKeyPair, RSA_2048, type TestPki } from './support/pki.js';
import { expectErrorBody } from './support/wire.js';
import { wireEnv, type WireEnv } from './support/wire-env.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

type Env = WireEnv;

const env = (policy?: ServerPolicy): Env => wireEnv(pki, policy ? { policy } : {});

/** The answer is an ip/cp/kup with one CertResponse: rejection, exactly `failInfo`, no certificate. */
function expectRejected(response: DecodedPKIMessage, type: 'ip' | 'cp' | 'kup', certReqId: number, failInfo: FailInfoBit[]): string {
  const rep = certRep(response, type).response;
  expect(rep).toHaveLength(1);
  expect(rep[0]!.certReqId).toBe(certReqId);
  expect(rep[0]!.status.status).toBe(2);
  expect(rep[0]!.status.failInfo).toEqual(failInfo);
  expect(rep[0]!.certifiedKeyPair).toBeUndefined();
  expect(response.header.generalInfo?.some((i) => i.type === 'confirmWaitTime')).toBeFalsy();
  return (rep[0]!.status.statusString ?? []).join('; ');
}

/** A CertReqMsg whose template is changed by `edit` and whose POP is signed over the result. */
async function editedMsg(keyPair: CryptoKeyPair, edit: (msg: CertReqMsg) => void): Promise<CertReqMsg> {
  const msg = await certReqMsg(keyPair);
  edit(msg);
  msg.popo = { type: 'signature', value: await createPOPOSigningKey(msg.certReq, keyPair.privateKey) };
  return msg;
}

describe('certReqId (RFC 9483 4.1.1-4.1.3: 0 in ir, cr, kur)', () => {
  it.each([
    ['ir', 1],
    ['ir', -1],
    ['cr', 1],
  ] as const)('%s with certReqId %i: rejection badRequest in the response, nothing issued', async (type, id) => {
    const e = env();
    const keyPair = await newKeyPair();
    const msg = await editedMsg(keyPair, (m) => (m.certReq.certReqId = id));
    const { response } = await e.ask({ body: { type, content: [msg] } });
    expect(expectRejected(response, type === 'ir' ? 'ip' : 'cp', id, ['badRequest'])).toMatch(/certReqId must be 0/);
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('kur with certReqId 1: kup rejection badRequest', async () => {
    const e = env();
    const keyPair = await newKeyPair();
    const msg = await editedMsg(keyPair, (m) => {
      m.certReq.certReqId = 1;
      m.certReq.certTemplate.subject = parseCertificate(pki.other.certificate).subject;
    });
    const { response } = await e.ask({ body: { type: 'kur', content: [msg] }, protection: pki.other.credential });
    expectRejected(response, 'kup', 1, ['badRequest']);
  });
});

describe('certTemplate content (RFC 9483 4.1.1)', () => {
  it('no subject: rejection badCertTemplate, before POP is looked at', async () => {
    const e = env();
    const keyPair = await newKeyPair();
    const msg = await certReqMsg(keyPair, { pop: 'raVerified' }); // badPOP + notAuthorized if POP came first
    delete msg.certReq.certTemplate.subject;
    const { response } = await e.ask({ body: { type: 'ir', content: [msg] } });
    expect(expectRejected(response, 'ip', 0, ['badCertTemplate'])).toMatch(/no subject/);
  });

  it('the NULL-DN as subject without subjectAltName: rejection badCertTemplate', async () => {
    const e = env();
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { subject: '' }) });
    expectRejected(response, 'ip', 0, ['badCertTemplate']);
  });

  it('the NULL-DN as subject with a subjectAltName: issued', async () => {
    const e = env();
    const san: Extension = { extnID: oids.id_ce_subjectAltName, extnValue: tlv(0x30, tlv(0x82, new TextEncoder().encode('a.example'))) };
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { subject: '', extensions: [san] }) });
    expect(parseCertificate(issuedCertificate(response, 'ip')).subject).toEqual([]);
  });

  it('an RSA key above 16384 bits: rejection badCertTemplate (not badPOP)', async () => {
    const e = env();
    const keyPair = await newKeyPair();
    const modulus = new Uint8Array(2051);
    modulus[1] = 0x80;
    modulus[2050] = 0x01;
    const rsaKey = tlv(0x30, tlv(0x02, modulus), tlv(0x02, Uint8Array.of(1, 0, 1)));
    const msg = await certReqMsg(keyPair);
    msg.certReq.certTemplate.publicKey = {
      algorithm: { algorithm: oids.rsaEncryption, parameters: { der: Uint8Array.of(0x05, 0x00) } },
      subjectPublicKey: rsaKey,
    };
    const { response } = await e.ask({ body: { type: 'ir', content: [msg] } });
    expect(expectRejected(response, 'ip', 0, ['badCertTemplate'])).toMatch(/bits/);
  });

  it('an RSA key below the profile minimum (1024 bits): rejection badCertTemplate', async () => {
    const e = env();
    const keyPair = await newKeyPair({ ...RSA_2048, modulusLength: 1024 });
    const { response } = await e.ask({ body: await certBody('ir', keyPair) });
    expect(expectRejected(response, 'ip', 0, ['badCertTemplate'])).toMatch(/1024 bits/);
  });

  it('a key algorithm the profile does not accept (Ed448): rejection badAlg', async () => {
    const e = env();
    const keyPair = (await crypto.subtle.generateKey({ name: 'Ed448' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const { response } = await e.ask({ body: await certBody('ir', keyPair) });
    expectRejected(response, 'ip', 0, ['badAlg']);
  });

  it.each([
    ['a SEQUENCE', tlv(0x30, tlv(0x0c, Uint8Array.of(0x78)))],
    ['a BIT STRING', tlv(0x03, Uint8Array.of(0x00, 0x41))],
    ['a [1]-tagged value', tlv(0x81, Uint8Array.of(0x78))],
    ['invalid UTF-8 in a UTF8String', tlv(0x0c, Uint8Array.of(0x41, 0xc3, 0x28))],
  ])('a commonName holding %s: rejection badCertTemplate, nothing signed', async (_label, value) => {
    const e = env();
    const keyPair = await newKeyPair();
    const msg = await editedMsg(keyPair, (m) => {
      m.certReq.certTemplate.subject = [[{ type: oids.id_at_commonName, value: { der: value } }]];
    });
    const { response } = await e.ask({ body: { type: 'ir', content: [msg] } });
    expect(expectRejected(response, 'ip', 0, ['badCertTemplate'])).toMatch(/commonName/);
    expect(e.issuer.issued.size).toBe(0);
  });

  it('basicConstraints with a pathLenConstraint but no cA: rejection badCertTemplate', async () => {
    const e = env();
    const bc: Extension = {
      extnID: oids.id_ce_basicConstraints,
      extnValue: tlv(0x30, tlv(0x02, Uint8Array.of(0))), // { pathLenConstraint 0 }, cA absent (FALSE)
    };
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { extensions: [bc] }) });
    expect(expectRejected(response, 'ip', 0, ['badCertTemplate'])).toMatch(/pathLenConstraint/);
  });

  it('basicConstraints asking for a CA certificate from an end-entity profile: rejection badCertTemplate', async () => {
    const e = env();
    const bc: Extension = {
      extnID: oids.id_ce_basicConstraints,
      extnValue: tlv(0x30, tlv(0x01, Uint8Array.of(0xff))), // { cA TRUE }
    };
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { extensions: [bc] }) });
    expectRejected(response, 'ip', 0, ['badCertTemplate']);
  });
});

describe('proof of possession (RFC 9483 4.1.1, RFC 4211 4.1)', () => {
  it('a POP signature over another key: rejection badPOP', async () => {
    const e = env();
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { popKey: (await newKeyPair()).privateKey }) });
    expectRejected(response, 'ip', 0, ['badPOP']);
  });

  it('no POP for a signing key: rejection badPOP', async () => {
    const e = env();
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { pop: 'none' }) });
    expectRejected(response, 'ip', 0, ['badPOP']);
  });

  it('poposkInput although the template has subject and publicKey: rejection badPOP', async () => {
    const e = env();
    const { response } = await e.ask({
      body: await certBody('ir', await newKeyPair(), { popSender: { type: 'directoryName', value: [] } }),
    });
    expect(expectRejected(response, 'ip', 0, ['badPOP'])).toMatch(/poposkInput must be absent/);
  });

  it('raVerified from an end entity: rejection badPOP and notAuthorized', async () => {
    const e = env({ acceptRAVerified: true });
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair(), { pop: 'raVerified' }) });
    expectRejected(response, 'ip', 0, ['badPOP', 'notAuthorized']);
  });

  it('raVerified from an authorised RA with acceptRAVerified: issued', async () => {
    const e = env({ acceptRAVerified: true });
    const { response } = await e.ask({
      body: await certBody('cr', await newKeyPair(), { pop: 'raVerified' }),
      protection: pki.ra.credential,
    });
    expect(issuedCertificate(response, 'cp')).toBeInstanceOf(Uint8Array);
  });
});

describe('key update (RFC 9483 4.1.3)', () => {
  async function kurWithKey(e: Env, publicKeyOf: 'old' | 'new'): Promise<DecodedPKIMessage> {
    const keyPair = publicKeyOf === 'old' ? pki.other.keyPair : await newKeyPair();
    const body = await certBody('kur', keyPair, {
      subject: '/O=cmpkit test/CN=someone else',
      oldCertificate: pki.other.certificate,
    });
    return (await e.ask({ body, protection: pki.other.credential })).response;
  }

  it('the key of the certificate being updated: kup rejection badCertTemplate', async () => {
    const e = env();
    expect(expectRejected(await kurWithKey(e, 'old'), 'kup', 0, ['badCertTemplate'])).toMatch(/key of the certificate being updated/);
    expect(e.issuer.requests).toHaveLength(0);
  });

  it('the same key with allowKeyReuseOnUpdate: issued', async () => {
    const e = env({ allowKeyReuseOnUpdate: true });
    const certificate = issuedCertificate(await kurWithKey(e, 'old'), 'kup');
    expect(parseCertificate(certificate).subjectPublicKeyInfoDer).toEqual(parseCertificate(pki.other.certificate).subjectPublicKeyInfoDer);
  });

  it('a new key: issued', async () => {
    issuedCertificate(await kurWithKey(env(), 'new'), 'kup');
  });
});

describe('p10cr (RFC 9483 4.1.4)', () => {
  it('a PKCS #10 request of version 1 (v2): cp rejection with certReqId -1 and badCertTemplate', async () => {
    const e = env();
    const csr = await buildCsr(await newKeyPair(), '/CN=p10', { version: 1 });
    const { response } = await e.ask({ body: { type: 'p10cr', content: { der: csr } } });
    expect(expectRejected(response, 'cp', -1, ['badCertTemplate'])).toMatch(/version/);
  });

  it('a request asking for a subjectKeyIdentifier: issued, with the identifier the CA computes', async () => {
    const e = env();
    const keyPair = await newKeyPair();
    const extensions = encodeExtensions([{ extnID: oids.id_ce_subjectKeyIdentifier, extnValue: tlv(0x04, Uint8Array.of(1, 2, 3)) }]);
    const csr = await buildCsr(keyPair, '/CN=p10 with ski', { extensions });
    const { response } = await e.ask({ body: { type: 'p10cr', content: { der: csr } } });
    const rep = certRep(response, 'cp').response[0]!;
    expect(rep.certReqId).toBe(-1);
    const certificate = issuedCertificate(response, 'cp');
    const spki = await spkiOf(keyPair);
    const sha1 = new Uint8Array(await crypto.subtle.digest('SHA-1', spki.subjectPublicKey.slice()));
    expect(parseCertificate(certificate).subjectKeyIdentifier).toEqual(sha1);
  });
});

describe('generalInfo of a request (RFC 9483 3.5)', () => {
  it('an implicitConfirm whose value is not NULL: error badRequest (the message itself decodes)', async () => {
    const e = env();
    const oid = encodeInfoTypeAndValue({ type: 'implicitConfirm' }).subarray(2);
    const invalid = decodeInfoTypeAndValue(tlv(0x30, oid, Uint8Array.of(0x02, 0x01, 0x01)));
    expect(invalid.type).toBe('invalid');
    const { response } = await e.ask({ body: await certBody('ir', await newKeyPair()), generalInfo: [invalid] });
    expect(expectErrorBody(response, ['badRequest'])).toMatch(/generalInfo/);
    expect(e.issuer.requests).toHaveLength(0);
  });
});
