import { describe, expect, it } from 'vitest';
import {
  decodeInfoTypeAndValue,
  decodePKIMessage,
  encodeInfoTypeAndValue,
  EncodeError,
  INFO_TYPE_OIDS,
  infoTypeOid,
  nameToString,
  oids,
  type DecodedPKIMessage,
  type DerErrorKind,
  type InfoTypeAndValue,
  type InfoTypeAndValueOf,
  type InfoTypeName,
} from '../../src/index.js';
import { chainBytes, derErrorOf, fixture, fixtureDir, hex, invalidItavErrorOf, pemFixture } from '../fixtures.js';

const ROOT = pemFixture('pki/openssl-3.0/root.pem');
const ISSUING = pemFixture('pki/openssl-3.0/issuing.pem');
const EE = pemFixture('pki/openssl-3.0/ee.pem');
const CRL1 = fixture('der/itav/sources/issuing-crl1.der');
const CRL2 = fixture('der/itav/sources/issuing-crl2.der');

/** Decodes fixtures/der/itav/NAME.der, checks it re-encodes to the same bytes, returns it. */
function golden(name: string): InfoTypeAndValue {
  const der = fixture(`der/itav/${name}.der`);
  const itav = decodeInfoTypeAndValue(der);
  expect(encodeInfoTypeAndValue(itav)).toEqual(der);
  return itav;
}

/** Like {@link golden}, also checking the type and narrowing to it. */
function goldenOf<T extends InfoTypeAndValue['type']>(name: string, type: T): InfoTypeAndValueOf<T> {
  const itav = golden(name);
  expect(itav.type).toBe(type);
  return itav as InfoTypeAndValueOf<T>;
}

describe('INFO_TYPE_OIDS', () => {
  it('maps every id-it of RFC 9810 Appendix F to its OID, and is frozen', () => {
    expect(Object.isFrozen(INFO_TYPE_OIDS)).toBe(true);
    const arcs = Object.values(INFO_TYPE_OIDS).map((oid) => Number(oid.slice(oids.id_it.length + 1)));
    expect(arcs).toEqual([1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    for (const [name, oid] of Object.entries(INFO_TYPE_OIDS)) {
      expect(oid.startsWith(`${oids.id_it}.`)).toBe(true);
      expect((oids as Record<string, string>)[`id_it_${name}`]).toBe(oid);
    }
  });

  it('infoTypeOid gives the OID of typed and unknown values', () => {
    expect(infoTypeOid({ type: 'caCerts' })).toBe('1.3.6.1.5.5.7.4.17');
    expect(infoTypeOid({ type: 'other', infoType: '1.2.3.4' })).toBe('1.2.3.4');
  });
});

describe('InfoTypeAndValue golden vectors (OpenSSL ASN1_generate_nconf)', () => {
  it('caProtEncCert: a CMPCertificate', () => {
    expect(goldenOf('itav-caProtEncCert', 'caProtEncCert').infoValue).toEqual({ der: ROOT });
  });

  it('signKeyPairTypes: AlgorithmIdentifiers with OID, absent and NULL parameters', () => {
    expect(goldenOf('itav-signKeyPairTypes', 'signKeyPairTypes').infoValue).toEqual([
      { algorithm: oids.id_ecPublicKey, parameters: { der: hex('06082a8648ce3d030107') } },
      { algorithm: oids.id_Ed25519 },
      { algorithm: oids.rsaEncryption, parameters: { der: hex('0500') } },
      { algorithm: oids.id_ml_dsa_65 },
    ]);
  });

  it('encKeyPairTypes', () => {
    expect(goldenOf('itav-encKeyPairTypes', 'encKeyPairTypes').infoValue).toEqual([
      { algorithm: oids.id_X25519 },
      { algorithm: oids.id_alg_ml_kem_768 },
      { algorithm: oids.id_ecPublicKey, parameters: { der: hex('06052b81040022') } },
    ]);
  });

  it('preferredSymmAlg', () => {
    expect(goldenOf('itav-preferredSymmAlg', 'preferredSymmAlg').infoValue).toEqual({
      algorithm: oids.id_aes256_CBC,
      parameters: { der: hex('0410 000102030405060708090a0b0c0d0e0f') },
    });
  });

  it('caKeyUpdateInfo: CAKeyUpdAnnContent in field order', () => {
    expect(goldenOf('itav-caKeyUpdateInfo', 'caKeyUpdateInfo').infoValue).toEqual({
      oldWithNew: { der: ROOT },
      newWithOld: { der: ISSUING },
      newWithNew: { der: EE },
    });
  });

  it('currentCRL: the CertificateList DER', () => {
    expect(goldenOf('itav-currentCRL', 'currentCRL').infoValue).toEqual({ der: CRL1 });
  });

  it('unsupportedOIDs', () => {
    expect(goldenOf('itav-unsupportedOIDs', 'unsupportedOIDs').infoValue).toEqual(['1.3.6.1.4.1.99999.1', '1.2.840.113549.1.9.16.2.47']);
  });

  it('keyPairParamReq: an OID', () => {
    expect(goldenOf('itav-keyPairParamReq', 'keyPairParamReq').infoValue).toBe(oids.id_ecPublicKey);
  });

  it('keyPairParamRep: an AlgorithmIdentifier', () => {
    expect(goldenOf('itav-keyPairParamRep', 'keyPairParamRep').infoValue).toEqual({
      algorithm: oids.id_ecPublicKey,
      parameters: { der: hex('06052b81040022') },
    });
  });

  it('revPassphrase: EncryptedKey envelopedData [0], kept as the standalone EnvelopedData', () => {
    expect(goldenOf('itav-revPassphrase-envelopedData', 'revPassphrase').infoValue).toEqual({
      type: 'envelopedData',
      value: { der: fixture('der/itav/sources/pwri-enveloped-data.der') },
    });
  });

  it('revPassphrase: EncryptedKey encryptedValue', () => {
    expect(goldenOf('itav-revPassphrase-encryptedValue', 'revPassphrase').infoValue).toEqual({
      type: 'encryptedValue',
      value: {
        intendedAlg: { algorithm: oids.id_ct_encKeyWithID },
        symmAlg: {
          algorithm: oids.id_aes128_CBC,
          parameters: { der: hex(`0410${Buffer.from(chainBytes('iv', 16)).toString('hex')}`) },
        },
        encSymmKey: chainBytes('encSymmKey', 40),
        valueHint: hex('cafe'),
        encValue: chainBytes('encValue', 32),
      },
    });
  });

  it('implicitConfirm: NULL', () => {
    const itav = goldenOf('itav-implicitConfirm', 'implicitConfirm');
    expect(itav).toEqual({ type: 'implicitConfirm', infoValue: null });
    expect(itav.infoValue).toBeNull();
  });

  it('confirmWaitTime: GeneralizedTime', () => {
    expect(goldenOf('itav-confirmWaitTime', 'confirmWaitTime').infoValue).toEqual(new Date('2026-11-27T16:30:00Z'));
    expect(goldenOf('itav-confirmWaitTime-fraction', 'confirmWaitTime').infoValue).toEqual(new Date('2026-11-27T16:30:00.250Z'));
  });

  it('origPKIMessage: PKIMessages decoded with their received bytes', () => {
    const ir = fixture('der/openssl-3.0/ir.der');
    const messages = goldenOf('itav-origPKIMessage', 'origPKIMessage').infoValue;
    expect(messages).toHaveLength(1);
    const message = messages?.[0];
    expect(message?.body.type).toBe('ir');
    expect((message as DecodedPKIMessage).raw.message).toEqual(ir);
    expect(message).toEqual(decodePKIMessage(ir));
  });

  it('suppLangTags, also empty (SEQUENCE OF without SIZE)', () => {
    expect(goldenOf('itav-suppLangTags', 'suppLangTags').infoValue).toEqual(['en', 'de-CH']);
    expect(goldenOf('itav-suppLangTags-empty', 'suppLangTags').infoValue).toEqual([]);
  });

  it('caCerts, and caCerts with the value absent', () => {
    expect(goldenOf('itav-caCerts', 'caCerts').infoValue).toEqual([{ der: ROOT }, { der: ISSUING }]);
    const absent = golden('itav-caCerts-absent');
    expect(absent).toEqual({ type: 'caCerts' });
    expect('infoValue' in absent).toBe(false);
  });

  it('rootCaKeyUpdate: RootCaKeyUpdateContent with [0] and [1]', () => {
    expect(goldenOf('itav-rootCaKeyUpdate', 'rootCaKeyUpdate').infoValue).toEqual({
      newWithNew: { der: ROOT },
      newWithOld: { der: ISSUING },
      oldWithNew: { der: EE },
    });
  });

  it('certReqTemplate: CertReqTemplateContent with keySpec controls', () => {
    const value = goldenOf('itav-certReqTemplate', 'certReqTemplate').infoValue;
    expect(nameToString(value?.certTemplate.subject ?? [])).toBe('/C=DE/O=Example Org/CN=device-0001');
    expect(value?.certTemplate.extensions).toEqual([{ extnID: oids.id_ce_keyUsage, critical: true, extnValue: hex('03020780') }]);
    expect(value?.keySpec).toEqual([
      {
        type: 'algId',
        value: { algorithm: oids.id_ecPublicKey, parameters: { der: hex('06082a8648ce3d030107') } },
      },
      { type: 'rsaKeyLen', value: 2048 },
    ]);
  });

  it('rootCaCert', () => {
    expect(goldenOf('itav-rootCaCert', 'rootCaCert').infoValue).toEqual({ der: ROOT });
  });

  it('certProfile', () => {
    expect(goldenOf('itav-certProfile', 'certProfile').infoValue).toEqual(['tls-server', 'device']);
  });

  it('crlStatusList (details in crl-status.spec.ts)', () => {
    const list = goldenOf('itav-crlStatusList', 'crlStatusList').infoValue;
    expect(list?.map((s) => s.source.type)).toEqual(['dpn', 'dpn', 'issuer']);
  });

  it('crls: CertificateLists as DER', () => {
    expect(goldenOf('itav-crls', 'crls').infoValue).toEqual([{ der: CRL1 }, { der: CRL2 }]);
  });

  it('kemCiphertextInfo', () => {
    expect(goldenOf('itav-kemCiphertextInfo', 'kemCiphertextInfo').infoValue).toEqual({
      kem: { algorithm: oids.id_alg_ml_kem_768 },
      ct: chainBytes('ml-kem-768 ciphertext', 1088),
    });
  });

  it('an unknown infoType stays other, with and without a value', () => {
    expect(golden('itav-other')).toEqual({
      type: 'other',
      infoType: '1.3.6.1.4.1.99999.7',
      infoValue: { der: hex('02012a') },
    });
    expect(golden('itav-other-absent')).toEqual({ type: 'other', infoType: '1.3.6.1.4.1.99999.8' });
  });

  it('there is a golden vector for every infotype', () => {
    const seen = new Set<string>();
    for (const [, der] of fixtureDir('der/itav')) {
      try {
        seen.add(decodeInfoTypeAndValue(der).type);
      } catch {
        // not an InfoTypeAndValue (the standalone types of this folder)
      }
    }
    for (const name of Object.keys(INFO_TYPE_OIDS)) expect(seen.has(name), name).toBe(true);
    expect(seen.has('other')).toBe(true);
  });
});

describe('InfoTypeAndValue invalid vectors', () => {
  // A known infotype whose value is one DER element of the wrong syntax decodes as 'invalid' (the
  // receiver refuses it with badRequest); the typed decoding's error is kept.
  const invalidValues: [string, DerErrorKind, string][] = [
    ['itav-caProtEncCert-octetString', 'unexpectedTag', 'InfoTypeAndValue.infoValue'],
    ['itav-signKeyPairTypes-empty', 'sizeConstraint', 'InfoTypeAndValue.infoValue'],
    ['itav-encKeyPairTypes-bareOid', 'unexpectedTag', 'InfoTypeAndValue.infoValue[0]'],
    ['itav-caKeyUpdateInfo-twoCerts', 'truncated', 'InfoTypeAndValue.infoValue.newWithNew'],
    ['itav-currentCRL-octetString', 'unexpectedTag', 'InfoTypeAndValue.infoValue'],
    ['itav-unsupportedOIDs-empty', 'sizeConstraint', 'InfoTypeAndValue.infoValue'],
    ['itav-keyPairParamReq-utf8', 'unexpectedTag', 'InfoTypeAndValue.infoValue'],
    ['itav-keyPairParamRep-threeFields', 'unexpectedTag', 'InfoTypeAndValue.infoValue'],
    ['itav-revPassphrase-context1', 'unexpectedTag', 'InfoTypeAndValue.infoValue'],
    ['itav-implicitConfirm-integer', 'unexpectedTag', 'InfoTypeAndValue.infoValue'],
    ['itav-confirmWaitTime-utcTime', 'unexpectedTag', 'InfoTypeAndValue.infoValue'],
    ['itav-confirmWaitTime-trailingZero', 'invalidTime', 'InfoTypeAndValue.infoValue'],
    ['itav-origPKIMessage-empty', 'sizeConstraint', 'InfoTypeAndValue.infoValue'],
    ['itav-suppLangTags-printable', 'unexpectedTag', 'InfoTypeAndValue.infoValue[0]'],
    ['itav-caCerts-empty', 'sizeConstraint', 'InfoTypeAndValue.infoValue'],
    ['itav-rootCaKeyUpdate-context2', 'unexpectedTag', 'InfoTypeAndValue.infoValue'],
    ['itav-certReqTemplate-emptyKeySpec', 'sizeConstraint', 'InfoTypeAndValue.infoValue.keySpec'],
    ['itav-rootCaCert-utf8', 'unexpectedTag', 'InfoTypeAndValue.infoValue'],
    ['itav-certProfile-empty', 'sizeConstraint', 'InfoTypeAndValue.infoValue'],
    ['itav-crlStatusList-empty', 'sizeConstraint', 'InfoTypeAndValue.infoValue'],
    ['itav-crls-empty', 'sizeConstraint', 'InfoTypeAndValue.infoValue'],
    ['itav-kemCiphertextInfo-noCt', 'truncated', 'InfoTypeAndValue.infoValue.ct'],
  ];

  it.each(invalidValues)('%s decodes as an invalid value (%s at %s) and re-encodes to its bytes', (name, kind, path) => {
    const der = fixture(`der/itav/invalid/${name}.der`);
    const error = invalidItavErrorOf(der);
    expect(error.kind).toBe(kind);
    expect(error.path).toBe(path);
    const itav = decodeInfoTypeAndValue(der);
    expect(itav.type).toBe('invalid');
    expect(Object.values(INFO_TYPE_OIDS)).toContain(infoTypeOid(itav));
  });

  // Not one DER element after the infoType: still a decode error.
  const undecodable: [string, DerErrorKind, string][] = [
    ['itav-preferredSymmAlg-trailing', 'unexpectedTag', 'InfoTypeAndValue'],
    ['itav-other-twoValues', 'unexpectedTag', 'InfoTypeAndValue'],
  ];

  it.each(undecodable)('%s fails with %s at %s', (name, kind, path) => {
    const error = derErrorOf(() => decodeInfoTypeAndValue(fixture(`der/itav/invalid/${name}.der`)));
    expect(error.kind).toBe(kind);
    expect(error.path).toBe(path);
    expect(error.failInfo).toEqual(['badDataFormat']);
  });

  it('implicitConfirm with a NULL that has content is an invalid value (invalidNull)', () => {
    const der = fixture('der/itav/itav-implicitConfirm.der');
    expect(der.subarray(-2)).toEqual(hex('0500'));
    const bad = new Uint8Array([0x30, der[1]! + 1, ...der.subarray(2, -2), 0x05, 0x01, 0x00]);
    expect(invalidItavErrorOf(bad).kind).toBe('invalidNull');
  });

  it('keyPairParamReq with a malformed OID is an invalid value (invalidOid at its offset)', () => {
    const der = fixture('der/itav/itav-keyPairParamReq.der');
    const oid = der.subarray(2, 12);
    const bad = new Uint8Array([0x30, 15, ...oid, 0x06, 0x03, 0x2a, 0x80, 0x01]);
    const error = invalidItavErrorOf(bad);
    expect(error.kind).toBe('invalidOid');
    expect(error.offset).toBe(12);
  });

  it('a value that breaks the DER rules of its own TLV (non-minimal length) is still a decode error', () => {
    const der = fixture('der/itav/itav-implicitConfirm.der');
    const bad = new Uint8Array([0x30, der[1]! + 1, ...der.subarray(2, -2), 0x05, 0x81, 0x00]);
    expect(derErrorOf(() => decodeInfoTypeAndValue(bad)).kind).toBe('nonMinimalLength');
  });

  it('a decoder limit inside a value stays a decode error (depthExceeded)', () => {
    const der = fixture('der/itav/itav-certReqTemplate.der');
    expect(derErrorOf(() => decodeInfoTypeAndValue(der, { maxDepth: 3 })).kind).toBe('depthExceeded');
  });

  it("refuses to encode 'invalid' with an OID that is no known infotype", () => {
    expect(() =>
      encodeInfoTypeAndValue({
        type: 'invalid',
        infoType: '1.2.3.4',
        infoValue: { der: hex('0500') },
        error: derErrorOf(() => decodeInfoTypeAndValue(hex('3000'))),
      }),
    ).toThrow(EncodeError);
  });
});

describe('InfoTypeAndValue encoder', () => {
  const emptyLists: InfoTypeAndValue[] = [
    { type: 'signKeyPairTypes', infoValue: [] },
    { type: 'encKeyPairTypes', infoValue: [] },
    { type: 'unsupportedOIDs', infoValue: [] },
    { type: 'origPKIMessage', infoValue: [] },
    { type: 'caCerts', infoValue: [] },
    { type: 'certProfile', infoValue: [] },
    { type: 'crlStatusList', infoValue: [] },
    { type: 'crls', infoValue: [] },
    { type: 'certReqTemplate', infoValue: { certTemplate: {}, keySpec: [] } },
  ];

  it.each(emptyLists.map((itav) => [itav.type, itav] as const))('refuses an empty SIZE (1..MAX) list in %s', (_type, itav) => {
    expect(() => encodeInfoTypeAndValue(itav)).toThrow(EncodeError);
  });

  it('writes an empty suppLangTags (no SIZE constraint)', () => {
    expect(encodeInfoTypeAndValue({ type: 'suppLangTags', infoValue: [] })).toEqual(fixture('der/itav/itav-suppLangTags-empty.der'));
  });

  it('refuses other with a known infoType OID', () => {
    expect(() =>
      encodeInfoTypeAndValue({
        type: 'other',
        infoType: oids.id_it_implicitConfirm,
        infoValue: { der: hex('0500') },
      }),
    ).toThrow(/implicitConfirm/);
  });

  it('refuses an unknown type name', () => {
    expect(() => encodeInfoTypeAndValue({ type: 'bogus' } as unknown as InfoTypeAndValue)).toThrow(EncodeError);
  });

  it('writes each known infotype with its OID and no value when infoValue is absent', () => {
    for (const [name, oid] of Object.entries(INFO_TYPE_OIDS) as [InfoTypeName, string][]) {
      const der = encodeInfoTypeAndValue({ type: name } as InfoTypeAndValue);
      const again = decodeInfoTypeAndValue(der);
      expect(again).toEqual({ type: name });
      expect(infoTypeOid(again)).toBe(oid);
    }
  });
});
