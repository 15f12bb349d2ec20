import type { InfoTypeAndValue } from '../../src/index.js';
import { describe, expect, it } from 'vitest';
import {
  decodePBMParameter,
  decodePKIMessage,
  nameToString,
  oids,
  type CertifiedKeyPair,
  type DecodedPKIMessage,
  type PKIBody,
} from '../../src/index.js';
import { fixture, toHex, pemFixture } from '../fixtures.js';
import { bodyOf, generalNameText, itavType } from '../helpers/views.js';

const EE = '/C=DE/O=Example Org/CN=device-0001';
const CA = '/C=DE/O=Example Org/CN=CMP Perf Issuing CA';
const ee = toHex(pemFixture('pki/openssl-3.0/ee.pem'));
const issuing = toHex(pemFixture('pki/openssl-3.0/issuing.pem'));
const root = toHex(pemFixture('pki/openssl-3.0/root.pem'));
const crl = toHex(pemFixture('pki/openssl-3.0-extra/issuing-crl.pem'));
const rsaSpki = pemFixture('pki/openssl-3.0-extra/rsa.pem');
/** The EnvelopedData inside the ContentInfo of cms-enveloped-to-ee.pem, as a standalone SEQUENCE. */
const enveloped = (() => {
  const ci = pemFixture('pki/openssl-3.0-extra/cms-enveloped-to-ee.pem');
  // ContentInfo ::= SEQUENCE { contentType OID (11 bytes), [0] { EnvelopedData } }
  const start = ci.indexOf(0xa0, 2 + 2 + 11 - 2);
  const lenOctets = ci[start + 1]! & 0x80 ? (ci[start + 1]! & 0x7f) + 1 : 1;
  return toHex(ci.subarray(start + 1 + lenOctets));
})();
const PLACEHOLDER_PROTECTION = 'a5'.repeat(32);

function vector(name: string): DecodedPKIMessage {
  return decodePKIMessage(fixture(`der/bodies/${name}.der`));
}
function certs(list: readonly { der: Uint8Array }[] | undefined): string[] | undefined {
  return list?.map((c) => toHex(c.der));
}
function body<K extends PKIBody['type']>(m: DecodedPKIMessage, type: K): Extract<PKIBody, { type: K }>['content'] {
  return bodyOf(m.body, type).content as never;
}

/** The raw value of an unknown (`'other'`) InfoTypeAndValue. */
function otherDer(itav: InfoTypeAndValue): Uint8Array | undefined {
  return itav.type === 'other' ? itav.infoValue?.der : undefined;
}

describe('hand-built vectors (golden)', () => {
  it('popdecc: every header field; Challenges with owf and with encryptedRand; protection and extraCerts', () => {
    const m = vector('popdecc');
    const h = m.header;
    expect(h.pvno).toBe(3);
    expect(generalNameText(h.sender)).toBe(EE);
    expect(generalNameText(h.recipient)).toBe(CA);
    expect(h.messageTime?.toISOString()).toBe('2026-11-27T12:00:00.500Z');
    expect(h.protectionAlg?.algorithm).toBe(oids.id_PasswordBasedMac);
    expect(decodePBMParameter(h.protectionAlg!.parameters!.der)).toEqual({
      salt: new Uint8Array(16).fill(0x5a),
      owf: { algorithm: oids.id_sha256 },
      iterationCount: 500,
      mac: { algorithm: oids.id_hmacWithSHA256, parameters: { der: Uint8Array.of(5, 0) } },
    });
    expect(new TextDecoder().decode(h.senderKID)).toBe('3078');
    expect(toHex(h.recipKID!)).toBe('1590c17b77df20bbdc173f7a66cc36084477aead');
    expect(toHex(h.transactionID!)).toBe('00112233445566778899aabbccddeeff');
    expect(toHex(h.senderNonce!)).toBe('0102030405060708090a0b0c0d0e0f10');
    expect(toHex(h.recipNonce!)).toBe('f0e0d0c0b0a090807060504030201000');
    expect(h.freeText).toEqual(['hand-built vector', 'zweite Zeile äöü']);
    expect(h.generalInfo?.map((i) => [itavType(i), otherDer(i) && toHex(otherDer(i)!)])).toEqual([
      ['1.3.6.1.4.1.99999.1', '020300ddd5'],
      ['1.3.6.1.4.1.99999.2', undefined],
    ]);
    const [c0, c1] = body(m, 'popdecc');
    expect(c0!.owf).toEqual({ algorithm: oids.id_sha256 });
    expect(c0!.witness).toHaveLength(32);
    expect(toHex(c0!.challenge)).toBe('0011223344556677');
    expect(c0!.encryptedRand).toBeUndefined();
    expect(c1!.owf).toBeUndefined();
    expect(c1!.challenge).toHaveLength(0);
    expect(toHex(c1!.encryptedRand!.der)).toBe(enveloped);
    expect(toHex(m.protection!)).toBe(PLACEHOLDER_PROTECTION);
    expect(certs(m.extraCerts)).toEqual([issuing, root]);
  });

  it('popdecr: INTEGERs of any size and sign; NULL-DN sender and recipient', () => {
    const m = vector('popdecr');
    expect(m.header).toEqual({
      pvno: 2,
      sender: { type: 'directoryName', value: [] },
      recipient: { type: 'directoryName', value: [] },
    });
    expect(body(m, 'popdecr')).toEqual([7n, 0x80c0ffee0123456789n, -5n]);
    expect(m.protection).toBeUndefined();
    expect(m.extraCerts).toBeUndefined();
  });

  it('krr: every CertTemplate field, every known control, POPOSigningKey with sender, regInfo', () => {
    const m = vector('krr');
    expect(generalNameText(m.header.sender)).toBe('rfc822Name:device-0001@example.com');
    expect(generalNameText(m.header.recipient)).toBe('uniformResourceIdentifier:https://ca.example.com/cmp');
    expect(m.header.protectionAlg).toEqual({ algorithm: oids.ecdsa_with_SHA256 });
    const [msg] = body(m, 'krr');
    const { certReqId, certTemplate: t, controls } = msg!.certReq;
    expect(certReqId).toBe(0);
    expect(t.version).toBe(2);
    expect(t.serialNumber).toBe(0x5f3a9c41d2e07b18n);
    expect(t.signingAlg).toEqual({ algorithm: oids.ecdsa_with_SHA256 });
    expect(nameToString(t.issuer!)).toBe(CA);
    expect(nameToString(t.subject!)).toBe(EE);
    expect(t.validity).toEqual({
      notBefore: { type: 'utcTime', value: new Date('2026-11-27T00:00:00Z') },
      notAfter: { type: 'generalTime', value: new Date('2050-01-01T00:00:00Z') },
    });
    expect(t.publicKey?.algorithm.algorithm).toBe(oids.id_ecPublicKey);
    expect(ee).toContain(toHex(t.publicKey!.subjectPublicKey));
    expect(t.issuerUID).toEqual({ bytes: Uint8Array.of(1, 2), unusedBits: 0 });
    // named bits 0, 3, 9: 1001 0000 01 -> two octets, 6 unused bits
    expect(t.subjectUID).toEqual({ bytes: Uint8Array.of(0x90, 0x40), unusedBits: 6 });
    expect(t.extensions).toEqual([
      { extnID: oids.id_ce_keyUsage, critical: true, extnValue: Uint8Array.of(3, 2, 7, 0x80) },
      { extnID: oids.id_ce_subjectAltName, extnValue: expect.any(Uint8Array) },
    ]);
    expect(controls?.map((c) => c.type)).toEqual([
      'regToken',
      'authenticator',
      'pkiPublicationInfo',
      'pkiArchiveOptions',
      'oldCertID',
      'protocolEncrKey',
      'algId',
      'rsaKeyLen',
      'other',
    ]);
    const byType = Object.fromEntries(controls!.map((c) => [c.type, c]));
    expect(byType.regToken).toEqual({ type: 'regToken', value: 'one-time-token-42' });
    expect(byType.authenticator).toEqual({ type: 'authenticator', value: 'maiden name' });
    expect(byType.pkiPublicationInfo).toEqual({
      type: 'pkiPublicationInfo',
      value: {
        action: 1,
        pubInfos: [
          {
            pubMethod: 2,
            pubLocation: { type: 'uniformResourceIdentifier', value: 'https://certs.example.com/' },
          },
          { pubMethod: 0 },
        ],
      },
    });
    expect(byType.pkiArchiveOptions).toEqual({
      type: 'pkiArchiveOptions',
      value: { type: 'archiveRemGenPrivKey', value: true },
    });
    const oldCertID = byType.oldCertID!;
    expect(oldCertID.type === 'oldCertID' && [generalNameText(oldCertID.value.issuer), oldCertID.value.serialNumber]).toEqual([
      CA,
      0x5f3a9c41d2e07b18n,
    ]);
    const encrKey = byType.protocolEncrKey!;
    expect(encrKey.type === 'protocolEncrKey' && encrKey.value.algorithm).toEqual({
      algorithm: oids.rsaEncryption,
      parameters: { der: Uint8Array.of(5, 0) },
    });
    expect(encrKey.type === 'protocolEncrKey' && toHex(rsaSpki).includes(toHex(encrKey.value.subjectPublicKey))).toBe(true);
    expect(byType.algId).toEqual({
      type: 'algId',
      value: {
        algorithm: oids.id_ecPublicKey,
        parameters: { der: Uint8Array.of(6, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 3, 1, 7) },
      },
    });
    expect(byType.rsaKeyLen).toEqual({ type: 'rsaKeyLen', value: 3072 });
    expect(byType.other).toEqual({
      type: 'other',
      oid: '1.3.6.1.4.1.99999.3',
      value: {
        der: Uint8Array.from([0x30, 0x0b, 2, 1, 1, 0x13, 6, ...new TextEncoder().encode('opaque')]),
      },
    });
    const popo = bodyOf(msg!.popo!, 'signature').value;
    expect(popo.poposkInput?.authInfo.type).toBe('sender');
    expect(popo.poposkInput?.authInfo.type === 'sender' && generalNameText(popo.poposkInput.authInfo.value)).toBe(EE);
    expect(toHex(popo.poposkInput!.publicKey.subjectPublicKey)).toBe(toHex(t.publicKey!.subjectPublicKey));
    expect(popo.algorithmIdentifier).toEqual({ algorithm: oids.ecdsa_with_SHA256 });
    expect(toHex(popo.signature)).toBe('3006020101020102');
    expect(msg!.regInfo?.map((r) => r.type)).toEqual(['utf8Pairs', 'certReq', 'other']);
    expect(msg!.regInfo![0]).toEqual({ type: 'utf8Pairs', value: 'cn?device-0001%ou?lab%' });
    const certReq = msg!.regInfo![1]!;
    expect(certReq.type === 'certReq' && certReq.value.certReqId).toBe(5);
    expect(certReq.type === 'certReq' && nameToString(certReq.value.certTemplate.subject!)).toBe(EE);
    expect(msg!.regInfo![2]).toEqual({
      type: 'other',
      oid: '1.3.6.1.4.1.99999.4',
      value: { der: Uint8Array.from([0x13, 6, ...new TextEncoder().encode('opaque')]) },
    });
  });

  it('krp: newSigCert, caCerts, keyPairHist with EnvelopedData private key and a full EncryptedValue', () => {
    const m = vector('krp');
    expect(generalNameText(m.header.sender)).toBe('iPAddress:c0000201');
    expect(generalNameText(m.header.recipient)).toBe('registeredID:1.3.6.1.4.1.99999.7');
    const content = body(m, 'krp');
    expect(content.status).toEqual({ status: 0 });
    expect(toHex(content.newSigCert!.der)).toBe(ee);
    expect(certs(content.caCerts)).toEqual([issuing, root]);
    const [k0, k1] = content.keyPairHist as [CertifiedKeyPair, CertifiedKeyPair];
    expect(k0.certOrEncCert.type === 'certificate' && toHex(k0.certOrEncCert.value.der)).toBe(ee);
    expect(k0.privateKey?.type).toBe('envelopedData');
    expect(k0.privateKey?.type === 'envelopedData' && toHex(k0.privateKey.value.der)).toBe(enveloped);
    expect(k0.publicationInfo).toBeUndefined();
    expect(k1.certOrEncCert).toEqual({
      type: 'encryptedCert',
      value: {
        type: 'encryptedValue',
        value: {
          intendedAlg: { algorithm: oids.id_ecPublicKey, parameters: expect.any(Object) },
          symmAlg: {
            algorithm: oids.id_aes128_CBC,
            parameters: {
              der: Uint8Array.from([4, 16, ...Array.from({ length: 16 }, (_, i) => i)]),
            },
          },
          encSymmKey: expect.any(Uint8Array),
          keyAlg: { algorithm: oids.rsaEncryption, parameters: { der: Uint8Array.of(5, 0) } },
          valueHint: new TextEncoder().encode('HINT'),
          encValue: Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef]),
        },
      },
    });
    expect(k1.publicationInfo).toEqual({ action: 0 });
  });

  it('ccr: one CertReqMsg per proof-of-possession form', () => {
    const m = vector('ccr');
    expect(m.header.pvno).toBe(1);
    expect(generalNameText(m.header.sender)).toBe('dNSName:ra.example.com');
    expect(m.header.recipient.type).toBe('otherName');
    const msgs = body(m, 'ccr');
    expect(msgs.map((x) => x.certReq.certReqId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(msgs.map((x) => x.popo && [x.popo.type, x.popo.value !== null && 'type' in x.popo.value ? x.popo.value.type : null])).toEqual([
      ['raVerified', null],
      ['keyEncipherment', 'thisMessage'],
      ['keyEncipherment', 'subsequentMessage'],
      ['keyEncipherment', 'encryptedKey'],
      ['keyAgreement', 'dhMAC'],
      ['keyAgreement', 'agreeMAC'],
      ['signature', null],
      undefined,
    ]);
    expect(msgs[1]!.popo).toEqual({
      type: 'keyEncipherment',
      value: { type: 'thisMessage', value: Uint8Array.of(0xc0, 0xff, 0xee) },
    });
    expect(msgs[2]!.popo).toEqual({
      type: 'keyEncipherment',
      value: { type: 'subsequentMessage', value: 1 },
    });
    const encryptedKey = msgs[3]!.popo!;
    expect(
      encryptedKey.type === 'keyEncipherment' && encryptedKey.value.type === 'encryptedKey' && toHex(encryptedKey.value.value.der),
    ).toBe(enveloped);
    expect(msgs[4]!.popo).toEqual({
      type: 'keyAgreement',
      value: { type: 'dhMAC', value: Uint8Array.of(10, 11, 12, 13) },
    });
    const agree = msgs[5]!.popo!;
    expect(agree.type === 'keyAgreement' && agree.value.type === 'agreeMAC' && agree.value.value.algId.algorithm).toBe(
      oids.id_PasswordBasedMac,
    );
    const sig = bodyOf(msgs[6]!.popo!, 'signature').value;
    expect(sig.poposkInput?.authInfo.type).toBe('publicKeyMAC');
    expect(msgs[6]!.certReq.certTemplate).toEqual({});
    expect(msgs[1]!.certReq.controls).toEqual([
      {
        type: 'pkiArchiveOptions',
        value: {
          type: 'encryptedPrivKey',
          value: { type: 'envelopedData', value: { der: expect.any(Uint8Array) } },
        },
      },
    ]);
    expect(msgs[2]!.certReq.controls).toEqual([
      {
        type: 'pkiArchiveOptions',
        value: { type: 'keyGenParameters', value: Uint8Array.of(1, 2, 3, 4, 5) },
      },
    ]);
  });

  it('ccp: caPubs; accepted with certificate and rspInfo, grantedWithMods encrypted, waiting, rejection', () => {
    const m = vector('ccp');
    const content = body(m, 'ccp');
    expect(certs(content.caPubs)).toEqual([root]);
    const [r0, r1, r2, r3] = content.response;
    expect(r0!.certReqId).toBe(0);
    expect(r0!.status).toEqual({ status: 0 });
    expect(r0!.certifiedKeyPair?.certOrEncCert.type === 'certificate' && toHex(r0!.certifiedKeyPair.certOrEncCert.value.der)).toBe(ee);
    expect(new TextDecoder().decode(r0!.rspInfo)).toBe('RSPI');
    expect(r1!.status).toEqual({ status: 1, statusString: ['validity shortened'] });
    const pair = r1!.certifiedKeyPair!;
    expect(pair.certOrEncCert.type === 'encryptedCert' && pair.certOrEncCert.value.type).toBe('envelopedData');
    expect(pair.privateKey).toEqual({
      type: 'encryptedValue',
      value: { encValue: Uint8Array.of(0xca, 0xfe, 0xba, 0xbe) },
    });
    expect(pair.publicationInfo).toEqual({
      action: 1,
      pubInfos: [
        {
          pubMethod: 3,
          pubLocation: { type: 'uniformResourceIdentifier', value: 'ldap://ldap.example.com/' },
        },
      ],
    });
    expect(r2).toEqual({ certReqId: 2, status: { status: 3 } });
    expect(r3).toEqual({
      certReqId: 3,
      status: {
        status: 2,
        statusString: ['request rejected', 'see the failure bits'],
        failInfo: ['badPOP', 'badCertTemplate'],
      },
    });
  });

  it('ckuann: both CHOICE arms', () => {
    expect(body(vector('ckuann-v2'), 'ckuann')).toEqual({
      type: 'cAKeyUpdAnnV2',
      value: {
        oldWithNew: { der: expect.any(Uint8Array) },
        newWithOld: { der: expect.any(Uint8Array) },
        newWithNew: { der: expect.any(Uint8Array) },
      },
    });
    const v2 = body(vector('ckuann-v2'), 'ckuann');
    expect(v2.type === 'cAKeyUpdAnnV2' && [v2.value.oldWithNew, v2.value.newWithOld, v2.value.newWithNew].map((c) => toHex(c.der))).toEqual(
      [root, issuing, ee],
    );
    const v3 = body(vector('ckuann-v3'), 'ckuann');
    expect(v3.type).toBe('cAKeyUpdAnnV3');
    expect(
      v3.type === 'cAKeyUpdAnnV3' && [v3.value.newWithNew, v3.value.newWithOld, v3.value.oldWithNew].map((c) => c && toHex(c.der)),
    ).toEqual([root, issuing, ee]);
    const min = body(vector('ckuann-v3-min'), 'ckuann');
    expect(min.type === 'cAKeyUpdAnnV3' && Object.keys(min.value)).toEqual(['newWithNew']);
  });

  it('cann: the certificate', () => {
    expect(toHex(body(vector('cann'), 'cann').der)).toBe(ee);
  });

  it('rann: status, certId, GeneralizedTime with milliseconds, crlDetails', () => {
    const content = body(vector('rann'), 'rann');
    expect(content.status).toBe(5);
    expect([generalNameText(content.certId.issuer), content.certId.serialNumber]).toEqual([CA, 0x5f3a9c41d2e07b18n]);
    expect(content.willBeRevokedAt.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(content.badSinceDate.toISOString()).toBe('2026-11-20T10:10:10.123Z');
    expect(content.crlDetails).toEqual([
      { extnID: oids.id_ce_cRLNumber, extnValue: Uint8Array.of(2, 1, 2) },
      { extnID: '1.3.6.1.4.1.99999.5', critical: true, extnValue: Uint8Array.of(5, 0) },
    ]);
  });

  it('crlann: the CRL', () => {
    expect(certs(body(vector('crlann'), 'crlann'))).toEqual([crl]);
  });

  it('nested: three inner messages, two of them real OpenSSL requests, each with its own raw bytes', () => {
    const m = vector('nested');
    const inner = body(m, 'nested') as DecodedPKIMessage[];
    expect(inner.map((x) => x.body.type)).toEqual(['ir', 'certConf', 'pkiconf']);
    expect(toHex(inner[0]!.raw.message)).toBe(toHex(fixture('der/openssl-3.0/ir.der')));
    expect(toHex(inner[1]!.raw.message)).toBe(toHex(fixture('der/openssl-3.0/certConf.der')));
    expect(inner[2]!.header.pvno).toBe(2);
    expect(toHex(m.protection!)).toBe(PLACEHOLDER_PROTECTION);
    expect(certs(m.extraCerts)).toEqual([issuing, root]);
  });

  it('rp-full: statuses, revCerts with a negative serial and an rfc822Name issuer, crls', () => {
    const content = body(vector('rp-full'), 'rp');
    expect(content.status).toEqual([{ status: 0 }, { status: 4, statusString: ['revocation scheduled'] }]);
    expect(content.revCerts?.map((id) => [generalNameText(id.issuer), id.serialNumber])).toEqual([
      [CA, 0x5f3a9c41d2e07b18n],
      ['rfc822Name:ca@example.com', -2n],
    ]);
    expect(certs(content.crls)).toEqual([crl]);
  });

  it('rr-full: RevDetails with and without crlEntryDetails', () => {
    const [d0, d1] = body(vector('rr-full'), 'rr');
    expect(d0!.certDetails.serialNumber).toBe(0x5f3a9c41d2e07b18n);
    expect(nameToString(d0!.certDetails.issuer!)).toBe(CA);
    expect(d0!.crlEntryDetails).toEqual([
      { extnID: oids.id_ce_cRLReasons, extnValue: Uint8Array.of(0x0a, 1, 1) },
      {
        extnID: oids.id_ce_invalidityDate,
        extnValue: Uint8Array.from([0x18, 15, ...new TextEncoder().encode('20261126000000Z')]),
      },
    ]);
    expect(d1).toEqual({ certDetails: { serialNumber: 1n } });
  });

  it('error-full: negative errorCode, failInfo, errorDetails', () => {
    expect(body(vector('error-full'), 'error')).toEqual({
      pKIStatusInfo: {
        status: 2,
        statusString: ['request rejected', 'see the failure bits'],
        failInfo: ['badPOP', 'badCertTemplate'],
      },
      errorCode: -1234567,
      errorDetails: ['the first detail', 'the second detail'],
    });
  });

  it('certconf-hashalg: hashAlg [0] and a rejecting statusInfo', () => {
    const [s0, s1] = body(vector('certconf-hashalg'), 'certConf');
    expect(s0).toEqual({
      certHash: expect.any(Uint8Array),
      certReqId: 0,
      hashAlg: { algorithm: oids.id_sha512 },
    });
    expect(s0!.certHash).toHaveLength(64);
    expect(s1!.certReqId).toBe(1);
    expect(s1!.statusInfo?.failInfo).toEqual(['badPOP', 'badCertTemplate']);
    expect(s1!.hashAlg).toBeUndefined();
  });

  it('pollrep-reason: checkAfter and reason', () => {
    expect(body(vector('pollrep-reason'), 'pollRep')).toEqual([
      { certReqId: 0, checkAfter: 3600, reason: ['awaiting manual approval'] },
      { certReqId: 1, checkAfter: 0 },
    ]);
  });

  it('genp-itav: private InfoTypeAndValues with and without value', () => {
    const items = body(vector('genp-itav'), 'genp');
    expect(items.map(itavType)).toEqual(['1.3.6.1.4.1.99999.1', '1.3.6.1.4.1.99999.2', '1.3.6.1.4.1.99999.6']);
    expect(items.map((i) => otherDer(i) && toHex(otherDer(i)!))).toEqual(['020300ddd5', undefined, root]);
  });
});
