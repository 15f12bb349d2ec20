import { AsnConvert } from '@peculiar/asn1-schema';
import { AuthorityKeyIdentifier, CertificateList, CRLReason, InvalidityDate, SubjectKeyIdentifier } from '@peculiar/asn1-x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oids } from '@cmpkit/codec';
import {
  createCertificateAuthority,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  type CertificateAuthority,
  type CrlEntry,
  type GeneratedCa,
} from '@cmpkit/ca';
import {
  NOW,
  OpensslWorkspace,
  clock,
  expectIssuanceError,
  extensionValue,
  hex,
  keyPair,
  opensslMissing,
  providers,
  spkiOf,
  template,
} from './helpers.js';

const DAY = 86_400_000;
const entries: CrlEntry[] = [
  {
    serialNumber: 0x0a1b2c3d4e5f60718293a4b5c6d7e8f9n,
    revocationDate: new Date('2030-01-10T08:00:00.750Z'),
    reason: 'keyCompromise',
    invalidityDate: new Date('2030-01-09T00:00:00Z'),
  },
  { serialNumber: 2n, revocationDate: new Date('2030-01-11T08:00:00Z'), reason: 'superseded' },
  { serialNumber: 3n, revocationDate: new Date('2030-01-12T08:00:00Z'), reason: 'unspecified' },
  { serialNumber: 4n, revocationDate: new Date('2030-01-13T08:00:00Z') },
];

describe.each(providers)('createCrl under %s', (_name, crypto) => {
  let root: GeneratedCa;
  let issuing: GeneratedCa;
  let ca: CertificateAuthority;
  const ws = new OpensslWorkspace();
  beforeAll(async () => {
    root = await createSelfSignedCa({ subject: '/O=Example/CN=CRL Root', crypto, clock });
    issuing = await createSubordinateCa(createCertificateAuthority({ ...root, crypto, clock }), {
      subject: '/O=Example/CN=CRL Issuing CA',
      crypto,
    });
    ca = createCertificateAuthority({ ...issuing, crypto, clock });
  });
  afterAll(() => ws.dispose());

  it('writes a v2 CRL with reasonCode, invalidityDate, cRLNumber and authorityKeyIdentifier', async () => {
    const der = await ca.createCrl({ entries, nextUpdate: new Date(NOW.getTime() + 7 * DAY), crlNumber: 42n });
    const crl = AsnConvert.parse(der, CertificateList);
    const tbs = crl.tbsCertList;
    expect(tbs.version).toBe(1);
    expect(tbs.thisUpdate.getTime()).toEqual(NOW);
    expect(tbs.nextUpdate!.getTime()).toEqual(new Date(NOW.getTime() + 7 * DAY));
    expect(crl.signatureAlgorithm.algorithm).toBe(oids.ecdsa_with_SHA256);
    const revoked = tbs.revokedCertificates!;
    expect(revoked.map((r) => hex(r.userCertificate))).toEqual(['0a1b2c3d4e5f60718293a4b5c6d7e8f9', '02', '03', '04']);
    expect(revoked[0]!.revocationDate.getTime()).toEqual(new Date('2030-01-10T08:00:00Z'));
    const ext = (i: number) => revoked[i]!.crlEntryExtensions ?? [];
    expect(ext(0).map((e) => e.extnID)).toEqual([oids.id_ce_cRLReasons, oids.id_ce_invalidityDate]);
    expect(AsnConvert.parse(ext(0)[0]!.extnValue.buffer, CRLReason).reason).toBe(1);
    expect(AsnConvert.parse(ext(0)[1]!.extnValue.buffer, InvalidityDate).value).toEqual(new Date('2030-01-09T00:00:00Z'));
    expect(AsnConvert.parse(ext(1)[0]!.extnValue.buffer, CRLReason).reason).toBe(4);
    expect(ext(2)).toEqual([]); // 'unspecified' writes no reasonCode
    expect(ext(3)).toEqual([]);
    expect(tbs.crlExtensions!.map((e) => e.extnID)).toEqual([oids.id_ce_authorityKeyIdentifier, oids.id_ce_cRLNumber]);
    const aki = AsnConvert.parse(tbs.crlExtensions![0]!.extnValue.buffer, AuthorityKeyIdentifier);
    const caSki = AsnConvert.parse(extensionValue(issuing.certificate, oids.id_ce_subjectKeyIdentifier)!.value, SubjectKeyIdentifier);
    expect(hex(aki.keyIdentifier!.buffer)).toBe(hex(caSki.buffer));
    expect(hex(tbs.crlExtensions![1]!.extnValue.buffer)).toBe('02012a');

    if (opensslMissing) return;
    const crlPem = ws.write('ca.crl', 'X509 CRL', der);
    const caPem = ws.write('issuing.pem', 'CERTIFICATE', issuing.certificate);
    const r = ws.run('crl', '-in', crlPem, '-CAfile', caPem, '-noout', '-text', '-verify');
    expect(r.stderr).toContain('verify OK');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Version 2 (0x1)');
    expect(r.stdout).toMatch(/X509v3 CRL Number:\s+42/);
    expect(r.stdout).toMatch(
      /Serial Number: 0A1B2C3D4E5F60718293A4B5C6D7E8F9\s+Revocation Date: Jan 10 08:00:00 2030 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise\s+Invalidity Date:\s+Jan {2}9 00:00:00 2030 GMT/,
    );
    expect(r.stdout).toMatch(
      /Serial Number: 02\s+Revocation Date: Jan 11 08:00:00 2030 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Superseded/,
    );
    expect(r.stdout).toMatch(/Serial Number: 03\s+Revocation Date: Jan 12 08:00:00 2030 GMT\s+Serial Number: 04/);
  });

  it.skipIf(opensslMissing)(`makes openssl reject a revoked certificate ${opensslMissing ?? ''}`, async () => {
    const ee = await ca.issue({
      template: template(await spkiOf((await keyPair(undefined, crypto)).publicKey, crypto)),
      profile: defineProfile({ name: 'ee' }),
    });
    const crl = await ca.createCrl({
      entries: [{ serialNumber: ee.serialNumber, revocationDate: NOW, reason: 'cessationOfOperation' }],
      nextUpdate: new Date(NOW.getTime() + DAY),
      crlNumber: 1n,
    });
    const rootCrl = await createCertificateAuthority({ ...root, crypto, clock }).createCrl({
      entries: [],
      nextUpdate: new Date(NOW.getTime() + DAY),
      crlNumber: 1n,
    });
    const r = ws.run(
      'verify',
      '-attime',
      String(NOW.getTime() / 1000 + 3600),
      '-crl_check_all',
      '-CAfile',
      ws.write('root.pem', 'CERTIFICATE', root.certificate),
      '-untrusted',
      ws.write('issuing.pem', 'CERTIFICATE', issuing.certificate),
      '-CRLfile',
      ws.write('both.crl', 'X509 CRL', crl, rootCrl),
      ws.write('ee.pem', 'CERTIFICATE', ee.certificate),
    );
    expect(r.stdout + r.stderr).toContain('certificate revoked');
    expect(r.status).not.toBe(0);
  });
});

describe('createCrl', () => {
  let ca: CertificateAuthority;
  beforeAll(async () => {
    ca = createCertificateAuthority({ ...(await createSelfSignedCa({ subject: '/CN=CRL CA', clock })), clock });
  });

  it('leaves revokedCertificates out of an empty CRL and honours thisUpdate', async () => {
    const thisUpdate = new Date('2030-01-14T00:00:00Z');
    const crl = AsnConvert.parse(
      await ca.createCrl({ entries: [], thisUpdate, nextUpdate: new Date('2030-01-21T00:00:00Z'), crlNumber: 0n }),
      CertificateList,
    );
    expect(crl.tbsCertList.revokedCertificates).toBeUndefined();
    expect(crl.tbsCertList.thisUpdate.getTime()).toEqual(thisUpdate);
    expect(hex(crl.tbsCertList.crlExtensions![1]!.extnValue.buffer)).toBe('020100');
  });

  it('refuses inconsistent input (badRequest)', async () => {
    const nextUpdate = new Date(NOW.getTime() + DAY);
    await expectIssuanceError(ca.createCrl({ entries: [], nextUpdate: NOW, crlNumber: 1n }), 'badRequest', /nextUpdate/);
    await expectIssuanceError(ca.createCrl({ entries: [], nextUpdate, crlNumber: -1n }), 'badRequest');
    await expectIssuanceError(
      ca.createCrl({ entries: [{ serialNumber: 0n, revocationDate: NOW }], nextUpdate, crlNumber: 1n }),
      'badRequest',
    );
    await expectIssuanceError(
      ca.createCrl({
        entries: [
          { serialNumber: 7n, revocationDate: NOW },
          { serialNumber: 7n, revocationDate: NOW },
        ],
        nextUpdate,
        crlNumber: 1n,
      }),
      'badRequest',
      /twice/,
    );
    await expectIssuanceError(
      ca.createCrl({ entries: [{ serialNumber: 7n, revocationDate: NOW, reason: 'removeFromCRL' }], nextUpdate, crlNumber: 1n }),
      'badRequest',
    );
  });

  it('refuses when the CA certificate lacks cRLSign (systemFailure)', async () => {
    const root = createCertificateAuthority({ ...(await createSelfSignedCa({ subject: '/CN=Root', clock })), clock });
    const keys = await keyPair();
    const noCrl = defineProfile({ name: 'no CRL signing', basicConstraints: { cA: true }, keyUsage: ['keyCertSign'] });
    const { certificate } = await root.issue({ template: template(await spkiOf(keys.publicKey), '/CN=No CRL CA'), profile: noCrl });
    const limited = createCertificateAuthority({ certificate, privateKey: keys.privateKey, clock });
    await expectIssuanceError(
      limited.createCrl({ entries: [], nextUpdate: new Date(NOW.getTime() + DAY), crlNumber: 1n }),
      'systemFailure',
      /cRLSign/,
    );
  });
});
