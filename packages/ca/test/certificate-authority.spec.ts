import { readFileSync } from 'node:fs';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  CertificatePolicies,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  PolicyInformation,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePem, decodePKIMessage, encodeName, oids, parseName, timeOf, type CertTemplate, type Extension } from '@cmpkit/codec';
import {
  createCertificateAuthority,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  profiles,
  type CertificateAuthority,
  type GeneratedCa,
} from '@cmpkit/ca';
import {
  EC_P256,
  NOW,
  OpensslWorkspace,
  clock,
  expectIssuanceError,
  extensionIds,
  extensionValue,
  hex,
  keyPair,
  opensslMissing,
  parseCertificate,
  providers,
  rsa,
  sanExtension,
  spkiOf,
  template,
} from './helpers.js';

const DAY = 86_400_000;
const EE_EXTENSIONS = [
  oids.id_ce_basicConstraints,
  oids.id_ce_keyUsage,
  oids.id_ce_extKeyUsage,
  oids.id_ce_subjectAltName,
  oids.id_ce_subjectKeyIdentifier,
  oids.id_ce_authorityKeyIdentifier,
];

async function pki(
  crypto: Crypto,
  rootValidityDays = 3650,
): Promise<{ root: GeneratedCa; issuing: GeneratedCa; ca: CertificateAuthority }> {
  const root = await createSelfSignedCa({ subject: '/O=Example/CN=Test Root CA', crypto, clock, validityDays: rootValidityDays });
  const issuing = await createSubordinateCa(createCertificateAuthority({ ...root, crypto, clock }), {
    subject: '/O=Example/CN=Test Issuing CA',
    crypto,
  });
  return { root, issuing, ca: createCertificateAuthority({ ...issuing, crypto, clock }) };
}

describe.each(providers)('issue under %s', (_name, crypto) => {
  let root: GeneratedCa;
  let issuing: GeneratedCa;
  let ca: CertificateAuthority;
  const ws = new OpensslWorkspace();
  beforeAll(async () => {
    ({ root, issuing, ca } = await pki(crypto));
  });
  afterAll(() => ws.dispose());

  it('issues a tlsServer certificate with exactly the expected fields and extensions', async () => {
    const keys = await keyPair(EC_P256, crypto);
    const publicKey = await spkiOf(keys.publicKey, crypto);
    const san = sanExtension([{ dNSName: 'www.example.com' }, { iPAddress: '192.0.2.7' }]);
    const { certificate, serialNumber, notBefore, notAfter } = await ca.issue({
      template: template(publicKey, '/O=Example/CN=www.example.com', [san]),
      profile: profiles.tlsServer,
    });
    const cert = parseCertificate(certificate);
    const tbs = cert.tbsCertificate;
    expect(tbs.version).toBe(2);
    const serialBytes = new Uint8Array(tbs.serialNumber);
    expect(serialBytes.length).toBe(16);
    expect(serialBytes[0]! & 0x80).toBe(0);
    expect(BigInt(`0x${hex(serialBytes)}`)).toBe(serialNumber);
    expect(hex(AsnConvert.serialize(tbs.issuer))).toBe(hex(encodeName(ca.subject)));
    expect(hex(AsnConvert.serialize(tbs.subject))).toBe(hex(encodeName(parseName('/O=Example/CN=www.example.com'))));
    expect(tbs.validity.notBefore.getTime()).toEqual(new Date(NOW.getTime() - 60_000));
    expect(tbs.validity.notAfter.getTime()).toEqual(new Date(NOW.getTime() - 60_000 + 397 * DAY));
    expect(notBefore).toEqual(tbs.validity.notBefore.getTime());
    expect(notAfter).toEqual(tbs.validity.notAfter.getTime());
    expect(cert.signatureAlgorithm.algorithm).toBe(oids.ecdsa_with_SHA256);
    expect(extensionIds(certificate)).toEqual(EE_EXTENSIONS);

    const bc = extensionValue(certificate, oids.id_ce_basicConstraints)!;
    expect(bc.critical).toBe(true);
    expect(AsnConvert.parse(bc.value, BasicConstraints).cA).toBe(false);
    const ku = extensionValue(certificate, oids.id_ce_keyUsage)!;
    expect(ku.critical).toBe(true);
    // keyEncipherment is left out for an EC key.
    expect(AsnConvert.parse(ku.value, KeyUsage).toNumber()).toBe(KeyUsageFlags.digitalSignature);
    expect([...AsnConvert.parse(extensionValue(certificate, oids.id_ce_extKeyUsage)!.value, ExtendedKeyUsage)]).toEqual([
      oids.id_kp_serverAuth,
    ]);
    const sanOut = extensionValue(certificate, oids.id_ce_subjectAltName)!;
    expect(sanOut.critical).toBe(false);
    expect(hex(sanOut.value)).toBe(hex(san.extnValue));

    const ski = new Uint8Array(
      AsnConvert.parse(extensionValue(certificate, oids.id_ce_subjectKeyIdentifier)!.value, SubjectKeyIdentifier).buffer,
    );
    const expectedSki = new Uint8Array(await crypto.subtle.digest('SHA-1', publicKey.subjectPublicKey as Uint8Array<ArrayBuffer>));
    expect(hex(ski)).toBe(hex(expectedSki));
    const aki = AsnConvert.parse(extensionValue(certificate, oids.id_ce_authorityKeyIdentifier)!.value, AuthorityKeyIdentifier);
    const caSki = extensionValue(issuing.certificate, oids.id_ce_subjectKeyIdentifier)!.value;
    expect(hex(aki.keyIdentifier!.buffer)).toBe(hex(AsnConvert.parse(caSki, SubjectKeyIdentifier).buffer));

    // The signature verifies under the CA's public key.
    const signature = new Uint8Array(cert.signatureValue);
    expect(signature[0]).toBe(0x30); // DER Ecdsa-Sig-Value
  });

  it.skipIf(opensslMissing)(`is accepted by openssl verify ${opensslMissing ?? ''}`, async () => {
    const keys = await keyPair(EC_P256, crypto);
    const { certificate } = await ca.issue({
      template: template(await spkiOf(keys.publicKey, crypto), '/O=Example/CN=device-0001', [
        sanExtension([
          { dNSName: 'device-0001.example.com' },
          { uniformResourceIdentifier: 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427' },
        ]),
      ]),
      profile: profiles.device,
    });
    const rootPem = ws.write('root.pem', 'CERTIFICATE', root.certificate);
    const issuingPem = ws.write('issuing.pem', 'CERTIFICATE', issuing.certificate);
    const eePem = ws.write('ee.pem', 'CERTIFICATE', certificate);
    const r = ws.verify(['-CAfile', rootPem, '-untrusted', issuingPem, '-purpose', 'sslclient', eePem]);
    expect(r.stdout + r.stderr).toContain(': OK');
    expect(r.status).toBe(0);
    const text = ws.text(eePem);
    expect(text).toContain('Issuer: O = Example, CN = Test Issuing CA');
    expect(text).toContain('Subject: O = Example, CN = device-0001');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \s+TLS Web Client Authentication, TLS Web Server Authentication/);
    expect(text).toMatch(/X509v3 Subject Alternative Name: \s+DNS:device-0001.example.com, URI:urn:uuid:1b4e28ba/);
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain('Not Before: Jan 15 09:59:00 2030 GMT');
    expect(text).toContain('Not After : Jan 15 09:59:00 2032 GMT');
  });
});

describe('issue', () => {
  let root: GeneratedCa;
  let ca: CertificateAuthority;
  let ecKey: CertTemplate['publicKey'];
  const ws = new OpensslWorkspace();
  beforeAll(async () => {
    ({ root, ca } = await pki(globalThis.crypto));
    ecKey = await spkiOf((await keyPair()).publicKey);
  });
  afterAll(() => ws.dispose());

  it('keeps keyEncipherment for an RSA key', async () => {
    const publicKey = await spkiOf((await keyPair(rsa(2048))).publicKey);
    const { certificate } = await ca.issue({ template: template(publicKey), profile: profiles.tlsServer });
    const ku = AsnConvert.parse(extensionValue(certificate, oids.id_ce_keyUsage)!.value, KeyUsage).toNumber();
    expect(ku).toBe(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment);
    expect(extensionIds(certificate)).toEqual(EE_EXTENSIONS.filter((e) => e !== oids.id_ce_subjectAltName));
  });

  it('certifies Ed25519 keys when the profile allows them', async () => {
    const publicKey = await spkiOf((await keyPair({ name: 'Ed25519' })).publicKey);
    const { certificate } = await ca.issue({ template: template(publicKey), profile: profiles.tlsClient });
    expect(parseCertificate(certificate).tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm).toBe(oids.id_Ed25519);
  });

  it('never outlives the CA certificate', async () => {
    const short = await pki(globalThis.crypto, 100);
    const { notAfter } = await short.ca.issue({ template: template(ecKey!), profile: profiles.tlsServer });
    expect(notAfter).toEqual(short.ca.notAfter);
  });

  it('uses the template validity only when the profile allows it, within validityDays', async () => {
    const validity = { notBefore: timeOf(new Date('2030-02-01T00:00:00.500Z')), notAfter: timeOf(new Date('2030-03-01T00:00:00Z')) };
    const tpl = { ...template(ecKey!), validity };
    const ignored = await ca.issue({ template: tpl, profile: profiles.tlsClient });
    expect(ignored.notBefore).toEqual(new Date(NOW.getTime() - 60_000));
    const profile = defineProfile({ name: 'flexible', allowTemplateValidity: true, validityDays: 10 });
    const honoured = await ca.issue({ template: tpl, profile });
    expect(honoured.notBefore).toEqual(new Date('2030-02-01T00:00:00Z'));
    expect(honoured.notAfter).toEqual(new Date('2030-02-11T00:00:00Z'));
    const open = await ca.issue({ template: { ...tpl, validity: { notAfter: timeOf(new Date('2030-01-20T00:00:00Z')) } }, profile });
    expect(open.notAfter).toEqual(new Date('2030-01-20T00:00:00Z'));
    await expectIssuanceError(
      ca.issue({ template: { ...tpl, validity: { notBefore: timeOf(new Date('2099-01-01T00:00:00Z')) } }, profile }),
      'badCertTemplate',
    );
  });

  it('narrows keyUsage and extKeyUsage to what the template asks within the profile', async () => {
    const profile = defineProfile({
      name: 'wide',
      keyUsage: ['digitalSignature', 'nonRepudiation', 'keyAgreement'],
      extendedKeyUsage: [oids.id_kp_clientAuth, oids.id_kp_emailProtection],
    });
    const ku: Extension = {
      extnID: oids.id_ce_keyUsage,
      critical: true,
      extnValue: new Uint8Array(AsnConvert.serialize(new KeyUsage(KeyUsageFlags.keyAgreement))),
    };
    const eku: Extension = {
      extnID: oids.id_ce_extKeyUsage,
      extnValue: new Uint8Array(AsnConvert.serialize(new ExtendedKeyUsage([oids.id_kp_emailProtection]))),
    };
    const { certificate } = await ca.issue({ template: template(ecKey!, '/CN=narrow', [ku, eku]), profile });
    expect(AsnConvert.parse(extensionValue(certificate, oids.id_ce_keyUsage)!.value, KeyUsage).toNumber()).toBe(KeyUsageFlags.keyAgreement);
    expect([...AsnConvert.parse(extensionValue(certificate, oids.id_ce_extKeyUsage)!.value, ExtendedKeyUsage)]).toEqual([
      oids.id_kp_emailProtection,
    ]);
  });

  it('writes CRL distribution point, authorityInfoAccess, fixed and allowed template extensions in order', async () => {
    const policy = (oid: string): Extension => ({
      extnID: oids.id_ce_certificatePolicies,
      extnValue: new Uint8Array(AsnConvert.serialize(new CertificatePolicies([new PolicyInformation({ policyIdentifier: oid })]))),
    });
    const inhibitAnyPolicy: Extension = { extnID: '2.5.29.54', extnValue: Uint8Array.of(0x02, 0x01, 0x00) };
    const profile = defineProfile({
      name: 'published',
      crlDistributionPoint: ['http://crl.example.com/issuing.crl', 'ldap://ldap.example.com/cn=crl'],
      authorityInfoAccess: { ocsp: 'http://ocsp.example.com', caIssuers: 'http://pki.example.com/issuing.cer' },
      extensions: [inhibitAnyPolicy],
      allowedExtensions: [oids.id_ce_certificatePolicies],
    });
    const { certificate } = await ca.issue({ template: template(ecKey!, '/CN=published', [policy('1.3.6.1.4.1.99999.1')]), profile });
    expect(extensionIds(certificate)).toEqual([
      oids.id_ce_basicConstraints,
      oids.id_ce_keyUsage,
      oids.id_ce_subjectKeyIdentifier,
      oids.id_ce_authorityKeyIdentifier,
      oids.id_ce_cRLDistributionPoints,
      oids.id_pe_authorityInfoAccess,
      '2.5.29.54',
      oids.id_ce_certificatePolicies,
    ]);
    if (!opensslMissing) {
      const text = ws.text(ws.write('published.pem', 'CERTIFICATE', certificate));
      expect(text).toMatch(
        /X509v3 CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/crl.example.com\/issuing.crl\s+URI:ldap:\/\/ldap.example.com\/cn=crl/,
      );
      expect(text).toMatch(
        /Authority Information Access:\s+OCSP - URI:http:\/\/ocsp.example.com\s+CA Issuers - URI:http:\/\/pki.example.com\/issuing.cer/,
      );
      expect(text).toContain('Policy: 1.3.6.1.4.1.99999.1');
    }
  });

  it('issues with an empty subject and a critical subjectAltName, or the profile subject', async () => {
    const empty = await ca.issue({
      template: { publicKey: ecKey!, subject: [], extensions: [sanExtension([{ dNSName: 'only-san.example.com' }])] },
      profile: profiles.tlsServer,
    });
    expect(parseCertificate(empty.certificate).tbsCertificate.subject.length).toBe(0);
    expect(extensionValue(empty.certificate, oids.id_ce_subjectAltName)!.critical).toBe(true);

    const fixed = defineProfile({ name: 'fixed subject', subject: parseName('/O=Example/CN=assigned') });
    const named = await ca.issue({ template: { publicKey: ecKey! }, profile: fixed });
    expect(hex(AsnConvert.serialize(parseCertificate(named.certificate).tbsCertificate.subject))).toBe(
      hex(encodeName(parseName('/O=Example/CN=assigned'))),
    );
  });

  it('certifies the request publicKey instead of the template key, with a given serial number', async () => {
    const central = await spkiOf((await keyPair({ name: 'ECDSA', namedCurve: 'P-384' })).publicKey);
    const { certificate, serialNumber } = await ca.issue({
      template: template(ecKey!),
      publicKey: central,
      serialNumber: 0x1234567890n,
      profile: profiles.tlsClient,
    });
    expect(serialNumber).toBe(0x1234567890n);
    const tbs = parseCertificate(certificate).tbsCertificate;
    expect(hex(tbs.serialNumber)).toBe('1234567890');
    expect(hex(tbs.subjectPublicKeyInfo.subjectPublicKey)).toBe(hex(central.subjectPublicKey));
  });

  it('accepts a template issuer equal to the CA name and version v3', async () => {
    const { certificate } = await ca.issue({
      template: { ...template(ecKey!), issuer: ca.subject, version: 2 },
      profile: profiles.tlsClient,
    });
    expect(certificate.length).toBeGreaterThan(0);
  });

  it('issues CA certificates under a CA profile, lowering pathLenConstraint under the CA', async () => {
    const rootCa = createCertificateAuthority({ ...root, clock });
    const deep = defineProfile({
      name: 'deep CA',
      basicConstraints: { cA: true, pathLenConstraint: 5 },
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const sub = await rootCa.issue({ template: template(ecKey!, '/CN=Sub CA'), profile: deep });
    const bc = AsnConvert.parse(extensionValue(sub.certificate, oids.id_ce_basicConstraints)!.value, BasicConstraints);
    expect(bc).toMatchObject({ cA: true, pathLenConstraint: 5 });
    // The issuing CA has pathLenConstraint 0: no CA certificates below it.
    await expectIssuanceError(ca.issue({ template: template(ecKey!, '/CN=Sub CA'), profile: deep }), 'notAuthorized');
    const mid = createCertificateAuthority({
      ...(await createSubordinateCa(rootCa, { subject: '/CN=Mid CA', pathLenConstraint: 2 })),
      clock,
    });
    const below = await mid.issue({ template: template(ecKey!, '/CN=Below CA'), profile: deep });
    expect(
      AsnConvert.parse(extensionValue(below.certificate, oids.id_ce_basicConstraints)!.value, BasicConstraints).pathLenConstraint,
    ).toBe(1);
  });

  it.skipIf(opensslMissing)(`issues under the OpenSSL-made issuing CA from a real OpenSSL ir ${opensslMissing ?? ''}`, async () => {
    const dir = new URL('../../../fixtures/', import.meta.url);
    const pem = (name: string) => decodePem(readFileSync(new URL(`pki/openssl-3.0/${name}`, dir), 'utf8'))[0]!.der;
    const privateKey = await crypto.subtle.importKey('pkcs8', pem('issuing.key') as Uint8Array<ArrayBuffer>, EC_P256, false, ['sign']);
    const opensslCa = createCertificateAuthority({
      certificate: pem('issuing.pem'),
      privateKey,
      chain: [pem('root.pem')],
      clock: () => new Date('2026-12-01T00:00:00Z'),
    });
    const ir = decodePKIMessage(new Uint8Array(readFileSync(new URL('der/openssl-3.0/ir.der', dir))));
    if (ir.body.type !== 'ir') throw new Error('fixture is not an ir');
    const certTemplate = ir.body.content[0]!.certReq.certTemplate;
    const { certificate } = await opensslCa.issue({ template: certTemplate, profile: profiles.device });
    expect(hex(AsnConvert.serialize(parseCertificate(certificate).tbsCertificate.issuer))).toBe(hex(encodeName(opensslCa.subject)));
    const rootPem = ws.write('ossl-root.pem', 'CERTIFICATE', pem('root.pem'));
    const issuingPem = ws.write('ossl-issuing.pem', 'CERTIFICATE', pem('issuing.pem'));
    const eePem = ws.write('ossl-ee.pem', 'CERTIFICATE', certificate);
    const r = ws.run(
      'verify',
      '-attime',
      String(Date.parse('2026-12-02T00:00:00Z') / 1000),
      '-CAfile',
      rootPem,
      '-untrusted',
      issuingPem,
      eePem,
    );
    expect(r.stdout).toContain('ossl-ee.pem: OK');
    const text = ws.text(eePem);
    expect(text).toContain('Subject: C = DE, O = Example Org, CN = device-0001');
    expect(text).toMatch(/DNS:device-0001.example.com/);
  });

  describe.each<[string, EcKeyGenParams | RsaHashedKeyGenParams | Algorithm, string]>([
    ['ECDSA P-256', EC_P256, oids.ecdsa_with_SHA256],
    ['ECDSA P-384', { name: 'ECDSA', namedCurve: 'P-384' }, oids.ecdsa_with_SHA384],
    ['ECDSA P-521', { name: 'ECDSA', namedCurve: 'P-521' }, oids.ecdsa_with_SHA512],
    ['RSA PKCS#1 v1.5 SHA-256', rsa(2048), oids.sha256WithRSAEncryption],
    ['RSA-PSS SHA-256', rsa(2048, 'RSA-PSS'), oids.id_RSASSA_PSS],
    ['Ed25519', { name: 'Ed25519' }, oids.id_Ed25519],
  ])('a CA signing with %s', (_name, keyAlgorithm, signatureOid) => {
    it(`issues certificates openssl verifies ${opensslMissing ?? ''}`, async () => {
      const algRoot = await createSelfSignedCa({ subject: `/CN=${_name} Root`, keyAlgorithm, clock });
      const algCa = createCertificateAuthority({ ...algRoot, clock });
      const { certificate } = await algCa.issue({ template: template(ecKey!, `/CN=ee of ${_name}`), profile: profiles.tlsClient });
      expect(parseCertificate(certificate).signatureAlgorithm.algorithm).toBe(signatureOid);
      expect(parseCertificate(algRoot.certificate).signatureAlgorithm.algorithm).toBe(signatureOid);
      if (opensslMissing) return;
      const slug = _name.replace(/\W+/g, '-');
      const rootPem = ws.write(`${slug}-root.pem`, 'CERTIFICATE', algRoot.certificate);
      const eePem = ws.write(`${slug}-ee.pem`, 'CERTIFICATE', certificate);
      const r = ws.verify(['-CAfile', rootPem, eePem]);
      expect(r.stdout + r.stderr).toContain(`${slug}-ee.pem: OK`);
    });
  });
});

describe('issue refusals', () => {
  let ca: CertificateAuthority;
  let ecKey: NonNullable<CertTemplate['publicKey']>;
  beforeAll(async () => {
    ({ ca } = await pki(globalThis.crypto));
    ecKey = await spkiOf((await keyPair()).publicKey);
  });

  const p256Only = defineProfile({ name: 'p256 only', keyAlgorithms: ['ec:P-256'] });
  const rsaOnly = defineProfile({ name: 'rsa only', keyAlgorithms: ['rsa:2048+'] });
  const patterns = defineProfile({
    name: 'patterns',
    dnsNamePatterns: ['*.example.com', 'exact.example.org'],
    ipAddressRanges: ['10.0.0.0/8', '2001:db8::/32'],
  });

  it('refuses a template without subject and subjectAltName (badCertTemplate)', async () => {
    await expectIssuanceError(ca.issue({ template: { publicKey: ecKey }, profile: profiles.tlsClient }), 'badCertTemplate', /no subject/);
    await expectIssuanceError(ca.issue({ template: { publicKey: ecKey, subject: [] }, profile: profiles.tlsClient }), 'badCertTemplate');
  });

  it('refuses a template without public key (badCertTemplate)', async () => {
    await expectIssuanceError(
      ca.issue({ template: { subject: parseName('/CN=x') }, profile: profiles.tlsClient }),
      'badCertTemplate',
      /no public key/,
    );
  });

  it('refuses an extension the profile does not allow (badCertTemplate)', async () => {
    const policies: Extension = { extnID: oids.id_ce_certificatePolicies, extnValue: Uint8Array.of(0x30, 0x00) };
    await expectIssuanceError(
      ca.issue({ template: template(ecKey, '/CN=x', [policies]), profile: profiles.tlsClient }),
      'badCertTemplate',
      /2\.5\.29\.32 is not allowed/,
    );
    const aki: Extension = { extnID: oids.id_ce_authorityKeyIdentifier, extnValue: Uint8Array.of(0x30, 0x03, 0x80, 0x01, 0x01) };
    await expectIssuanceError(ca.issue({ template: template(ecKey, '/CN=x', [aki]), profile: profiles.tlsClient }), 'badCertTemplate');
    const twice = sanExtension([{ dNSName: 'a.example.com' }]);
    await expectIssuanceError(
      ca.issue({ template: template(ecKey, '/CN=x', [twice, twice]), profile: profiles.tlsClient }),
      'badCertTemplate',
      /twice/,
    );
  });

  it('refuses a key algorithm the profile does not accept (badAlg)', async () => {
    const p384 = await spkiOf((await keyPair({ name: 'ECDSA', namedCurve: 'P-384' })).publicKey);
    await expectIssuanceError(ca.issue({ template: template(p384), profile: p256Only }), 'badAlg', /P-384/);
    const ed = await spkiOf((await keyPair({ name: 'Ed25519' })).publicKey);
    await expectIssuanceError(ca.issue({ template: template(ed), profile: rsaOnly }), 'badAlg');
    const x25519 = await spkiOf(((await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair).publicKey);
    await expectIssuanceError(ca.issue({ template: template(x25519), profile: profiles.tlsClient }), 'badAlg');
    await expectIssuanceError(
      ca.issue({
        template: template({ algorithm: { algorithm: '1.2.3.4' }, subjectPublicKey: new Uint8Array(8) }),
        profile: profiles.tlsClient,
      }),
      'badAlg',
    );
  });

  it('refuses an RSA key of a size the profile does not accept (badCertTemplate: the algorithm is fine)', async () => {
    const small = await spkiOf((await keyPair(rsa(1024))).publicKey);
    await expectIssuanceError(ca.issue({ template: template(small), profile: profiles.tlsServer }), 'badCertTemplate', /1024 bits/);
    const exact = defineProfile({ name: 'rsa 3072 exactly', keyAlgorithms: ['rsa:3072'] });
    const r2048 = await spkiOf((await keyPair(rsa(2048))).publicKey);
    await expectIssuanceError(ca.issue({ template: template(r2048), profile: exact }), 'badCertTemplate');
    await expectIssuanceError(ca.issue({ template: template(r2048), profile: p256Only }), 'badAlg', /RSA key/);
  });

  it('refuses malformed public keys (badCertTemplate)', async () => {
    const offCurve = ecKey.subjectPublicKey.slice();
    offCurve[64] = offCurve[64]! ^ 0x01;
    await expectIssuanceError(
      ca.issue({ template: template({ ...ecKey, subjectPublicKey: offCurve }), profile: profiles.tlsClient }),
      'badCertTemplate',
      /not a point/,
    );
    const compressed = Uint8Array.of(0x02, ...ecKey.subjectPublicKey.subarray(1, 33));
    await expectIssuanceError(
      ca.issue({ template: template({ ...ecKey, subjectPublicKey: compressed }), profile: profiles.tlsClient }),
      'badCertTemplate',
    );
    const rsaKey = await spkiOf((await keyPair(rsa(2048))).publicKey);
    const even = rsaKey.subjectPublicKey.slice();
    // RSAPublicKey: 30 82 01 0a 02 82 01 01 00 <256 modulus bytes> ...; make the modulus even.
    even[9 + 255] = even[9 + 255]! & 0xfe;
    await expectIssuanceError(
      ca.issue({ template: template({ ...rsaKey, subjectPublicKey: even }), profile: profiles.tlsClient }),
      'badCertTemplate',
      /even/,
    );
    await expectIssuanceError(
      ca.issue({ template: template({ ...rsaKey, subjectPublicKey: Uint8Array.of(1, 2, 3) }), profile: profiles.tlsClient }),
      'badCertTemplate',
    );
    const ed = await spkiOf((await keyPair({ name: 'Ed25519' })).publicKey);
    await expectIssuanceError(
      ca.issue({ template: template({ ...ed, subjectPublicKey: ed.subjectPublicKey.subarray(1) }), profile: profiles.tlsClient }),
      'badCertTemplate',
    );
  });

  it('refuses a subjectAltName the profile does not allow (badCertTemplate)', async () => {
    const san = sanExtension([{ dNSName: 'ra.example.com' }]);
    await expectIssuanceError(
      ca.issue({ template: template(ecKey, '/CN=RA', [san]), profile: profiles.ra }),
      'badCertTemplate',
      /does not allow a subjectAltName/,
    );
    const mail = sanExtension([{ rfc822Name: 'a@example.com' }]);
    await expectIssuanceError(
      ca.issue({ template: template(ecKey, '/CN=x', [mail]), profile: profiles.tlsServer }),
      'badCertTemplate',
      /rfc822Name/,
    );
  });

  it.each<[string, Parameters<typeof sanExtension>[0], boolean]>([
    ['a name below the pattern', [{ dNSName: 'host.example.com' }], true],
    ['a name two levels below', [{ dNSName: 'a.b.example.com' }], true],
    ['the exact name', [{ dNSName: 'EXACT.example.org' }], true],
    ['an IPv4 address in range', [{ iPAddress: '10.1.2.3' }], true],
    ['an IPv6 address in range', [{ iPAddress: '2001:db8::1' }], true],
    ['the pattern suffix itself', [{ dNSName: 'example.com' }], false],
    ['another domain', [{ dNSName: 'host.example.net' }], false],
    ['a wildcard name', [{ dNSName: '*.example.com' }], false],
    ['a name with an underscore', [{ dNSName: 'a_b.example.com' }], false],
    ['an IPv4 address out of range', [{ iPAddress: '192.168.0.1' }], false],
    ['an IPv6 address out of range', [{ iPAddress: '2001:db9::1' }], false],
    ['one good and one bad name', [{ dNSName: 'ok.example.com' }, { dNSName: 'bad.example.net' }], false],
  ])('checks subjectAltName patterns: %s', async (_name, names, accepted) => {
    const request = ca.issue({ template: template(ecKey, '/CN=x', [sanExtension(names)]), profile: patterns });
    if (accepted) await expect(request).resolves.toHaveProperty('certificate');
    else await expectIssuanceError(request, 'badCertTemplate');
  });

  it('accepts wildcards only when allowed', async () => {
    const wild = defineProfile({ name: 'wild', allowWildcardDnsNames: true, dnsNamePatterns: ['*.example.com'] });
    await expect(
      ca.issue({ template: template(ecKey, '/CN=x', [sanExtension([{ dNSName: '*.example.com' }])]), profile: wild }),
    ).resolves.toBeDefined();
  });

  it('refuses keyUsage, extKeyUsage or basicConstraints outside the profile (badCertTemplate)', async () => {
    const ku: Extension = {
      extnID: oids.id_ce_keyUsage,
      extnValue: new Uint8Array(AsnConvert.serialize(new KeyUsage(KeyUsageFlags.keyCertSign))),
    };
    await expectIssuanceError(
      ca.issue({ template: template(ecKey, '/CN=x', [ku]), profile: profiles.tlsClient }),
      'badCertTemplate',
      /keyUsage/,
    );
    const eku: Extension = {
      extnID: oids.id_ce_extKeyUsage,
      extnValue: new Uint8Array(AsnConvert.serialize(new ExtendedKeyUsage([oids.id_kp_codeSigning]))),
    };
    await expectIssuanceError(
      ca.issue({ template: template(ecKey, '/CN=x', [eku]), profile: profiles.tlsClient }),
      'badCertTemplate',
      /1\.3\.6\.1\.5\.5\.7\.3\.3/,
    );
    const bc: Extension = {
      extnID: oids.id_ce_basicConstraints,
      extnValue: new Uint8Array(AsnConvert.serialize(new BasicConstraints({ cA: true }))),
    };
    await expectIssuanceError(
      ca.issue({ template: template(ecKey, '/CN=x', [bc]), profile: profiles.tlsClient }),
      'badCertTemplate',
      /CA certificates/,
    );
    const onlyEncipher: Extension = {
      extnID: oids.id_ce_keyUsage,
      extnValue: new Uint8Array(AsnConvert.serialize(new KeyUsage(KeyUsageFlags.keyEncipherment))),
    };
    await expectIssuanceError(
      ca.issue({ template: template(ecKey, '/CN=x', [onlyEncipher]), profile: profiles.tlsServer }),
      'badCertTemplate',
    );
    const garbage: Extension = { extnID: oids.id_ce_keyUsage, extnValue: Uint8Array.of(0x04, 0x00) };
    await expectIssuanceError(
      ca.issue({ template: template(ecKey, '/CN=x', [garbage]), profile: profiles.tlsClient }),
      'badCertTemplate',
      /malformed/,
    );
  });

  it('refuses template fields reserved to the CA', async () => {
    const base = template(ecKey);
    await expectIssuanceError(ca.issue({ template: { ...base, serialNumber: 5n }, profile: profiles.tlsClient }), 'badCertTemplate');
    await expectIssuanceError(
      ca.issue({ template: { ...base, signingAlg: { algorithm: oids.ecdsa_with_SHA256 } }, profile: profiles.tlsClient }),
      'badCertTemplate',
    );
    await expectIssuanceError(ca.issue({ template: { ...base, version: 0 }, profile: profiles.tlsClient }), 'badCertTemplate');
    await expectIssuanceError(
      ca.issue({ template: { ...base, subjectUID: { bytes: Uint8Array.of(1), unusedBits: 0 } }, profile: profiles.tlsClient }),
      'badCertTemplate',
    );
    await expectIssuanceError(
      ca.issue({ template: { ...base, issuer: parseName('/CN=Other CA') }, profile: profiles.tlsClient }),
      'wrongAuthority',
    );
    await expectIssuanceError(
      ca.issue({ template: { ...base, subject: ca.subject }, profile: profiles.tlsClient }),
      'badCertTemplate',
      /differ/,
    );
  });

  it('refuses an invalid explicit serial number (badRequest)', async () => {
    await expectIssuanceError(ca.issue({ template: template(ecKey), profile: profiles.tlsClient, serialNumber: 0n }), 'badRequest');
    await expectIssuanceError(ca.issue({ template: template(ecKey), profile: profiles.tlsClient, serialNumber: 1n << 160n }), 'badRequest');
  });

  it('refuses to issue outside its own validity (systemUnavail)', async () => {
    const expired = createCertificateAuthority({
      ...(await createSelfSignedCa({ subject: '/CN=Old', clock, validityDays: 1 })),
      clock: () => new Date(NOW.getTime() + 2 * DAY),
    });
    await expectIssuanceError(expired.issue({ template: template(ecKey), profile: profiles.tlsClient }), 'systemUnavail');
  });

  it('refuses a key that does not match the CA certificate (systemFailure)', async () => {
    const a = await createSelfSignedCa({ subject: '/CN=A', clock });
    const b = await createSelfSignedCa({ subject: '/CN=B', clock });
    const mixed = createCertificateAuthority({ certificate: a.certificate, privateKey: b.privateKey, clock });
    const error = await expectIssuanceError(mixed.issue({ template: template(ecKey), profile: profiles.tlsClient }), 'systemFailure');
    expect(error.message).not.toMatch(/BEGIN|-----|0x/);
  });

  it('refuses a certificate that is not a CA certificate at construction (systemFailure)', async () => {
    const { certificate } = await ca.issue({ template: template(ecKey), profile: profiles.tlsClient });
    const keys = await keyPair();
    expect(() => createCertificateAuthority({ certificate, privateKey: keys.privateKey })).toThrow(/not a CA certificate/);
    expect(() => createCertificateAuthority({ certificate: Uint8Array.of(1, 2, 3), privateKey: keys.privateKey })).toThrow(
      /not an X.509 certificate/,
    );
    expect(() => createCertificateAuthority({ certificate, privateKey: keys.publicKey })).toThrow();
  });
});
