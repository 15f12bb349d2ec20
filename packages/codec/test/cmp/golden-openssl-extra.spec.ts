import type { InfoTypeAndValue } from '../../src/index.js';
import { describe, expect, it } from 'vitest';
import { decodePBMParameter, decodePKIMessage, nameToString, oids, type DecodedPKIMessage } from '../../src/index.js';
import { fixture, fixtureDir, toHex, pemFixture } from '../fixtures.js';
import { bodyOf, generalNameText, itavType } from '../helpers/views.js';

const DIR = 'der/openssl-3.0-extra';
const EE = '/C=DE/O=Example Org/CN=device-0001';
const CA = '/C=DE/O=Example Org/CN=CMP Perf Issuing CA';
const eeCert = pemFixture('pki/openssl-3.0/ee.pem');
const issuingCert = pemFixture('pki/openssl-3.0/issuing.pem');
const rootCert = pemFixture('pki/openssl-3.0/root.pem');
const rsaCert = pemFixture('pki/openssl-3.0-extra/rsa.pem');
const csr = pemFixture('pki/openssl-3.0-extra/csr.pem');

/** The messages of one scenario, in exchange order (request, response, request, ...). */
function exchange(scenario: string): DecodedPKIMessage[] {
  const files = fixtureDir(DIR)
    .filter(([name]) => name.startsWith(`${scenario}_`))
    .sort(([a], [b]) => Number(/_(\d+)-/.exec(a)![1]) - Number(/_(\d+)-/.exec(b)![1]));
  expect(files.length).toBeGreaterThan(0);
  return files.map(([, der]) => decodePKIMessage(der));
}

/** Transaction bookkeeping every OpenSSL exchange follows. */
function checkTransaction(messages: DecodedPKIMessage[]): void {
  const tid = messages[0]!.header.transactionID!;
  expect(tid).toHaveLength(16);
  messages.forEach((m, i) => {
    expect(m.header.pvno).toBe(2);
    expect(toHex(m.header.transactionID!)).toBe(toHex(tid));
    expect(m.header.senderNonce).toHaveLength(16);
    expect(m.header.messageTime).toBeInstanceOf(Date);
    if (i > 0) expect(toHex(m.header.recipNonce!)).toBe(toHex(messages[i - 1]!.header.senderNonce!));
    else expect(m.header.recipNonce).toBeUndefined();
  });
}

/** PasswordBasedMac protection as OpenSSL writes it with `-secret ... -ref 3078`. */
function checkPbm(m: DecodedPKIMessage, mac: string, owf: string = oids.id_sha256): void {
  expect(m.header.protectionAlg?.algorithm).toBe(oids.id_PasswordBasedMac);
  expect(new TextDecoder().decode(m.header.senderKID)).toBe('3078');
  const params = decodePBMParameter(m.header.protectionAlg!.parameters!.der);
  expect(params.salt).toHaveLength(16);
  expect(params.iterationCount).toBe(500);
  expect(params.owf).toEqual({ algorithm: owf });
  expect(params.mac.algorithm).toBe(mac);
  expect(m.protection?.length).toBe(mac === oids.hMAC_SHA1 ? 20 : 32);
}

function certOf(m: DecodedPKIMessage): Uint8Array | undefined {
  const body = m.body;
  if (body.type !== 'ip' && body.type !== 'cp' && body.type !== 'kup') throw new Error(body.type);
  const pair = body.content.response[0]?.certifiedKeyPair;
  return pair?.certOrEncCert.type === 'certificate' ? pair.certOrEncCert.value.der : undefined;
}

/** The raw value of an unknown (`'other'`) InfoTypeAndValue. */
function otherDer(itav: InfoTypeAndValue): Uint8Array | undefined {
  return itav.type === 'other' ? itav.infoValue?.der : undefined;
}

describe('OpenSSL 3.0 extra vectors (golden)', () => {
  it('cr-pbm: cr with validity, SANs, critical policies, issuer and generalInfo; cp; certConf; pkiConf', () => {
    const [cr, cp, certConf, pkiConf] = exchange('cr-pbm');
    checkTransaction([cr!, cp!, certConf!, pkiConf!]);
    for (const m of [cr!, cp!, certConf!, pkiConf!]) checkPbm(m, oids.hMAC_SHA1);
    expect(generalNameText(cr!.header.sender)).toBe(EE);
    expect(generalNameText(cr!.header.recipient)).toBe(CA);
    expect(cr!.header.generalInfo?.map(itavType)).toEqual(['1.2.3.4']);
    expect(toHex(otherDer(cr!.header.generalInfo![0]!)!)).toBe('020300ddd5'); // INTEGER 56789

    const [msg] = bodyOf(cr!.body, 'cr').content;
    const t = msg!.certReq.certTemplate;
    expect(msg!.certReq.certReqId).toBe(0);
    expect(nameToString(t.subject!)).toBe(EE);
    expect(nameToString(t.issuer!)).toBe(CA);
    expect(t.validity?.notBefore?.type).toBe('utcTime');
    expect(t.validity!.notAfter!.value.getTime() - t.validity!.notBefore!.value.getTime()).toBe(30 * 86400_000);
    expect(t.publicKey?.algorithm).toEqual({
      algorithm: oids.id_ecPublicKey,
      parameters: { der: Uint8Array.from([6, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 3, 1, 7]) },
    });
    expect(t.extensions?.map((e) => [e.extnID, e.critical])).toEqual([
      [oids.id_ce_certificatePolicies, true],
      [oids.id_ce_subjectAltName, undefined],
    ]);
    expect(toHex(t.extensions![0]!.extnValue)).toBe('3008300606042a030405'); // policy 1.2.3.4.5
    const san = Buffer.from(t.extensions![1]!.extnValue).toString('latin1');
    expect(san).toContain('device-0001.example.com');
    expect(san).toContain('https://device-0001.example.com/');
    expect(msg!.popo?.type).toBe('signature');
    expect(bodyOf(msg!.popo!, 'signature').value.algorithmIdentifier.algorithm).toBe(oids.ecdsa_with_SHA256);
    expect(msg!.popo?.type === 'signature' && msg!.popo.value.poposkInput).toBe(undefined);

    const response = bodyOf(cp!.body, 'cp').content;
    expect(response.caPubs).toBeUndefined();
    expect(response.response.map((r) => [r.certReqId, r.status])).toEqual([[0, { status: 0 }]]);
    expect(toHex(certOf(cp!)!)).toBe(toHex(eeCert));
    expect(cp!.extraCerts?.map((c) => toHex(c.der))).toEqual([toHex(issuingCert), toHex(rootCert)]);
    expect(nameToString(bodyOf(cp!.header.sender, 'directoryName').value)).toBe('');

    const [status] = bodyOf(certConf!.body, 'certConf').content;
    expect(status).toMatchObject({ certReqId: 0, statusInfo: { status: 0 } });
    expect(status!.hashAlg).toBeUndefined();
    expect(status!.certHash).toHaveLength(32);
    expect(pkiConf!.body).toEqual({ type: 'pkiconf', content: null });
  });

  it('p10cr-pbm: p10cr carries the CSR bytes; cp answers certReqId -1; client PBM hmacWithSHA256 / SHA-512', () => {
    const [p10cr, cp, certConf, pkiConf] = exchange('p10cr-pbm');
    checkTransaction([p10cr!, cp!, certConf!, pkiConf!]);
    for (const m of [p10cr!, certConf!]) checkPbm(m, oids.id_hmacWithSHA256, oids.id_sha512);
    for (const m of [cp!, pkiConf!]) checkPbm(m, oids.hMAC_SHA1); // the mock server's defaults
    expect(toHex(bodyOf(p10cr!.body, 'p10cr').content.der)).toBe(toHex(csr));
    const [response] = bodyOf(cp!.body, 'cp').content.response;
    expect(response!.certReqId).toBe(-1);
    expect(response!.status).toEqual({ status: 0 });
    expect(bodyOf(certConf!.body, 'certConf').content.map((s) => s.certReqId)).toEqual([-1]);
    expect(pkiConf!.body.type).toBe('pkiconf');
  });

  it('kur-ec-sig: kur signed with ECDSA carries oldCertID; kup/pkiConf signed with RSA', () => {
    const [kur, kup, certConf, pkiConf] = exchange('kur-ec-sig');
    checkTransaction([kur!, kup!, certConf!, pkiConf!]);
    for (const m of [kur!, certConf!]) {
      expect(m.header.protectionAlg).toEqual({ algorithm: oids.ecdsa_with_SHA256 });
      expect(toHex(m.header.senderKID!)).toBe('d4975f9ddb02d6d83d44e0a9c154fc213d577952');
      expect(m.extraCerts?.map((c) => toHex(c.der))).toEqual([toHex(eeCert), toHex(issuingCert)]);
      expect(m.protection![0]).toBe(0x30); // a DER ECDSA-Sig-Value
    }
    for (const m of [kup!, pkiConf!]) {
      expect(m.header.protectionAlg).toEqual({ algorithm: oids.sha256WithRSAEncryption });
      expect(m.protection).toHaveLength(256);
    }
    const [msg] = bodyOf(kur!.body, 'kur').content;
    expect(msg!.certReq.controls).toEqual([
      {
        type: 'oldCertID',
        value: {
          issuer: expect.objectContaining({ type: 'directoryName' }),
          serialNumber: 0x5f3a9c41d2e07b18n,
        },
      },
    ]);
    const oldCertId = msg!.certReq.controls![0]!;
    expect(oldCertId.type === 'oldCertID' && generalNameText(oldCertId.value.issuer)).toBe(CA);
    expect(nameToString(msg!.certReq.certTemplate.subject!)).toBe(EE);
    expect(msg!.certReq.certTemplate.extensions?.map((e) => e.extnID)).toEqual([oids.id_ce_subjectAltName]);
    expect(toHex(certOf(kup!)!)).toBe(toHex(eeCert));
    expect(pkiConf!.body.type).toBe('pkiconf');
  });

  it('ir-rsa-sig-implicit: RSA-signed ir with implicitConfirm, granted in the ip; no certConf', () => {
    const messages = exchange('ir-rsa-sig-implicit');
    expect(messages.map((m) => m.body.type)).toEqual(['ir', 'ip']);
    checkTransaction(messages);
    for (const m of messages) {
      expect(m.header.protectionAlg).toEqual({ algorithm: oids.sha256WithRSAEncryption });
      expect(m.protection).toHaveLength(256);
      expect(m.header.generalInfo?.map(itavType)).toContainEqual(expect.stringMatching(/^(1\.3\.6\.1\.5\.5\.7\.4\.13|implicitConfirm)$/));
    }
    const [ir, ip] = messages;
    expect(generalNameText(ir!.header.sender)).toBe('/C=DE/O=Example Org/CN=CMP RSA Throwaway');
    // senderKID is the subjectKeyIdentifier of the self-signed RSA certificate, which sits in rsa.pem
    expect(toHex(rsaCert)).toContain(toHex(ir!.header.senderKID!));
    expect(toHex(ir!.header.senderKID!)).toBe('10ede385287d658a928f0039ac670f8f68b85afc');
    expect(ip!.extraCerts?.map((c) => toHex(c.der))).toEqual([toHex(issuingCert), toHex(rootCert)]);
    expect(toHex(certOf(ip!)!)).toBe(toHex(eeCert));
  });

  it('rr-pbm: rr names the certificate and reason keyCompromise; rp accepted with revCerts', () => {
    const [rr, rp] = exchange('rr-pbm');
    checkTransaction([rr!, rp!]);
    checkPbm(rr!, oids.hMAC_SHA1);
    const [details] = bodyOf(rr!.body, 'rr').content;
    expect(details!.certDetails.serialNumber).toBe(0x5f3a9c41d2e07b18n);
    expect(nameToString(details!.certDetails.issuer!)).toBe(CA);
    expect(details!.crlEntryDetails).toEqual([{ extnID: oids.id_ce_cRLReasons, extnValue: Uint8Array.of(0x0a, 1, 1) }]);
    const content = bodyOf(rp!.body, 'rp').content;
    expect(content.status).toEqual([{ status: 0 }]);
    expect(content.revCerts?.map((id) => [generalNameText(id.issuer), id.serialNumber])).toEqual([[CA, 0x5f3a9c41d2e07b18n]]);
    expect(content.crls).toBeUndefined();
  });

  it('genm-pbm: genm asks for signKeyPairTypes and genp answers it', () => {
    const [genm, genp] = exchange('genm-pbm');
    checkTransaction([genm!, genp!]);
    for (const m of [genm!, genp!]) {
      const items = m.body.type === 'genm' || m.body.type === 'genp' ? m.body.content : [];
      expect(items.map(itavType)).toEqual([expect.stringMatching(/^(1\.3\.6\.1\.5\.5\.7\.4\.2|signKeyPairTypes)$/)]);
    }
  });

  it('genm-unprotected: no protectionAlg, no protection; empty genm/genp', () => {
    const [genm, genp] = exchange('genm-unprotected');
    checkTransaction([genm!, genp!]);
    for (const m of [genm!, genp!]) {
      expect(m.header.protectionAlg).toBeUndefined();
      expect(m.protection).toBeUndefined();
      expect(m.body.content).toEqual([]);
    }
    expect(genm!.header.generalInfo?.map((i) => [itavType(i), toHex(otherDer(i)!)])).toEqual([['1.2.3.4', '020107']]);
  });

  it('error-pbm: error with rejection, badRequest, errorCode and errorDetails', () => {
    const [ir, error] = exchange('error-pbm');
    checkTransaction([ir!, error!]);
    const content = bodyOf(error!.body, 'error').content;
    expect(content.pKIStatusInfo).toEqual({
      status: 2,
      statusString: ['error processing message'],
      failInfo: ['badRequest'],
    });
    expect(content.errorCode).toBe(0x1d00009e);
    expect(content.errorDetails).toEqual(['CMP routines', 'error processing message']);
  });

  it('poll-pbm: ip waiting, pollReq/pollRep(checkAfter 0), pollReq, ip accepted, certConf, pkiConf', () => {
    const messages = exchange('poll-pbm');
    expect(messages.map((m) => m.body.type)).toEqual(['ir', 'ip', 'pollReq', 'pollRep', 'pollReq', 'ip', 'certConf', 'pkiconf']);
    checkTransaction(messages);
    const [, waiting, pollReq, pollRep, , ip] = messages;
    expect(bodyOf(waiting!.body, 'ip').content.response).toEqual([{ certReqId: 0, status: { status: 3 } }]);
    expect(bodyOf(pollReq!.body, 'pollReq').content).toEqual([{ certReqId: 0 }]);
    expect(bodyOf(pollRep!.body, 'pollRep').content).toEqual([{ certReqId: 0, checkAfter: 0 }]);
    expect(toHex(certOf(ip!)!)).toBe(toHex(eeCert));
  });

  it('ip-rejection: all 27 failInfo names, in bit order, with a statusString', () => {
    const [, ip] = exchange('ip-rejection');
    const [response] = bodyOf(ip!.body, 'ip').content.response;
    expect(response!.status.status).toBe(2);
    expect(response!.status.statusString).toEqual(['rejected by the mock server']);
    expect(response!.status.failInfo).toEqual([
      'badAlg',
      'badMessageCheck',
      'badRequest',
      'badTime',
      'badCertId',
      'badDataFormat',
      'wrongAuthority',
      'incorrectData',
      'missingTimeStamp',
      'badPOP',
      'certRevoked',
      'certConfirmed',
      'wrongIntegrity',
      'badRecipientNonce',
      'timeNotAvailable',
      'unacceptedPolicy',
      'unacceptedExtension',
      'addInfoNotAvailable',
      'badSenderNonce',
      'badCertTemplate',
      'signerNotTrusted',
      'transactionIdInUse',
      'unsupportedVersion',
      'notAuthorized',
      'systemUnavail',
      'systemFailure',
      'duplicateCertReq',
    ]);
    expect(response!.certifiedKeyPair).toBeUndefined();
  });

  it('ir-raverified: POPO raVerified; ip with caPubs', () => {
    const [ir, ip] = exchange('ir-raverified');
    expect(bodyOf(ir!.body, 'ir').content[0]!.popo).toEqual({ type: 'raVerified', value: null });
    const content = bodyOf(ip!.body, 'ip').content;
    expect(content.caPubs?.map((c) => toHex(c.der))).toEqual([toHex(rootCert)]);
    expect(toHex(certOf(ip!)!)).toBe(toHex(eeCert));
  });

  it('cr-popo-none: no popo; cp rejects with badPOP', () => {
    const [cr, cp] = exchange('cr-popo-none');
    const [msg] = bodyOf(cr!.body, 'cr').content;
    expect(msg!.popo).toBeUndefined();
    expect(msg!.regInfo).toBeUndefined();
    expect(bodyOf(cp!.body, 'cp').content.response[0]!.status).toEqual({
      status: 2,
      statusString: ['popo missing'],
      failInfo: ['badPOP'],
    });
  });

  it('ir-keyenc: POPO keyEncipherment subsequentMessage encrCert for an RSA key; rejected', () => {
    const [ir, ip] = exchange('ir-keyenc');
    const [msg] = bodyOf(ir!.body, 'ir').content;
    expect(msg!.popo).toEqual({
      type: 'keyEncipherment',
      value: { type: 'subsequentMessage', value: 0 },
    });
    expect(msg!.certReq.certTemplate.publicKey?.algorithm).toEqual({
      algorithm: oids.rsaEncryption,
      parameters: { der: Uint8Array.of(5, 0) },
    });
    expect(bodyOf(ip!.body, 'ip').content.response[0]!.status.failInfo).toEqual(['badPOP']);
  });

  it('certconf-reject: certConf rejects the certificate with incorrectData', () => {
    const [, , certConf, pkiConf] = exchange('certconf-reject');
    expect(bodyOf(certConf!.body, 'certConf').content).toEqual([
      {
        certHash: expect.any(Uint8Array),
        certReqId: 0,
        statusInfo: {
          status: 2,
          statusString: ['CMP client did not accept it'],
          failInfo: ['incorrectData'],
        },
      },
    ]);
    expect(pkiConf!.body.type).toBe('pkiconf');
  });

  it('every scenario file is covered by a test above', () => {
    const scenarios = new Set(fixtureDir(DIR).map(([name]) => name.split('_')[0]));
    expect([...scenarios].sort()).toEqual([
      'certconf-reject',
      'cr-pbm',
      'cr-popo-none',
      'error-pbm',
      'genm-pbm',
      'genm-unprotected',
      'ip-rejection',
      'ir-keyenc',
      'ir-raverified',
      'ir-rsa-sig-implicit',
      'kur-ec-sig',
      'p10cr-pbm',
      'poll-pbm',
      'rr-pbm',
    ]);
    expect(fixture(`${DIR}/README.md`).length).toBeGreaterThan(0);
  });
});
