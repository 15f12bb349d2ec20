import { AsnConvert } from '@peculiar/asn1-schema';
import { AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsageFlags, SubjectKeyIdentifier } from '@peculiar/asn1-x509';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeName, oids, parseName } from '@cmpkit/codec';
import { createCertificateAuthority, createCrossCertificates, createSelfSignedCa, createSubordinateCa, profiles } from '@cmpkit/ca';
import {
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
  spkiOf,
  template,
} from '../helpers.js';

const DAY = 86_400_000;
const CA_EXTENSIONS = [
  oids.id_ce_basicConstraints,
  oids.id_ce_keyUsage,
  oids.id_ce_subjectKeyIdentifier,
  oids.id_ce_authorityKeyIdentifier,
];
const keyId = (der: Uint8Array, oid: string): string => {
  const value = extensionValue(der, oid)!.value;
  return oid === oids.id_ce_subjectKeyIdentifier
    ? hex(AsnConvert.parse(value, SubjectKeyIdentifier).buffer)
    : hex(AsnConvert.parse(value, AuthorityKeyIdentifier).keyIdentifier!.buffer);
};

describe.each(providers)('CA setup under %s', (_name, crypto) => {
  const ws = new OpensslWorkspace();
  afterAll(() => ws.dispose());

  it('creates a self-signed root CA (ECDSA P-256 by default)', async () => {
    const root = await createSelfSignedCa({ subject: '/O=Example/CN=Root', crypto, clock, pathLenConstraint: 1 });
    expect(root.chain).toEqual([]);
    expect(root.privateKey.extractable).toBe(false);
    expect(root.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    const tbs = parseCertificate(root.certificate).tbsCertificate;
    expect(hex(AsnConvert.serialize(tbs.subject))).toBe(hex(encodeName(parseName('/O=Example/CN=Root'))));
    expect(hex(AsnConvert.serialize(tbs.issuer))).toBe(hex(AsnConvert.serialize(tbs.subject)));
    expect(tbs.validity.notBefore.getTime()).toEqual(new Date(NOW.getTime() - 60_000));
    expect(tbs.validity.notAfter.getTime()).toEqual(new Date(NOW.getTime() - 60_000 + 3650 * DAY));
    expect(extensionIds(root.certificate)).toEqual(CA_EXTENSIONS);
    const bc = extensionValue(root.certificate, oids.id_ce_basicConstraints)!;
    expect(bc.critical).toBe(true);
    expect(AsnConvert.parse(bc.value, BasicConstraints)).toMatchObject({ cA: true, pathLenConstraint: 1 });
    expect(AsnConvert.parse(extensionValue(root.certificate, oids.id_ce_keyUsage)!.value, KeyUsage).toNumber()).toBe(
      KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
    );
    expect(keyId(root.certificate, oids.id_ce_authorityKeyIdentifier)).toBe(keyId(root.certificate, oids.id_ce_subjectKeyIdentifier));
    if (opensslMissing) return;
    const pem = ws.write('root.pem', 'CERTIFICATE', root.certificate);
    expect(ws.verify(['-CAfile', pem, pem]).stdout).toContain('root.pem: OK');
  });

  it('creates a subordinate CA whose chain leads to the root', async () => {
    const root = await createSelfSignedCa({ subject: '/CN=Root', crypto, clock });
    const rootCa = createCertificateAuthority({ ...root, crypto, clock });
    const issuing = await createSubordinateCa(rootCa, {
      subject: '/CN=Issuing',
      crypto,
      keyAlgorithm: { name: 'ECDSA', namedCurve: 'P-384' },
      extractable: true,
      crlDistributionPoint: 'http://crl.example.com/root.crl',
    });
    expect(issuing.chain.map(hex)).toEqual([hex(root.certificate)]);
    expect(issuing.privateKey.extractable).toBe(true);
    expect(extensionIds(issuing.certificate)).toEqual([...CA_EXTENSIONS, oids.id_ce_cRLDistributionPoints]);
    expect(AsnConvert.parse(extensionValue(issuing.certificate, oids.id_ce_basicConstraints)!.value, BasicConstraints)).toMatchObject({
      cA: true,
      pathLenConstraint: 0,
    });
    expect(keyId(issuing.certificate, oids.id_ce_authorityKeyIdentifier)).toBe(keyId(root.certificate, oids.id_ce_subjectKeyIdentifier));
    expect(parseCertificate(issuing.certificate).tbsCertificate.validity.notAfter.getTime()).toEqual(
      new Date(NOW.getTime() - 60_000 + 1825 * DAY),
    );
    const ca = createCertificateAuthority({ ...issuing, crypto, clock });
    expect(ca.chain.map(hex)).toEqual([hex(root.certificate)]);
    // The issuing CA has pathLenConstraint 0: it cannot make further CAs.
    await expectIssuanceError(createSubordinateCa(ca, { subject: '/CN=Too deep', crypto }), 'notAuthorized');
    if (opensslMissing) return;
    const r = ws.verify([
      '-CAfile',
      ws.write('r.pem', 'CERTIFICATE', root.certificate),
      ws.write('i.pem', 'CERTIFICATE', issuing.certificate),
    ]);
    expect(r.stdout).toContain('i.pem: OK');
  });
});

describe('createCrossCertificates', () => {
  const ws = new OpensslWorkspace();
  afterAll(() => ws.dispose());

  it.each([
    ['the same name', '/O=Example/CN=Root CA', '/O=Example/CN=Root CA'],
    ['a new generation name', '/O=Example/OU=G1/CN=Root CA', '/O=Example/OU=G2/CN=Root CA'],
  ])('links an old and a new root with %s (RFC 9810 section 4.4)', async (_name, oldName, newName) => {
    const oldRoot = await createSelfSignedCa({ subject: oldName, clock: () => new Date(NOW.getTime() - 1000 * DAY), validityDays: 3650 });
    const newRoot = await createSelfSignedCa({
      subject: newName,
      clock,
      validityDays: 3650,
      keyAlgorithm: { name: 'ECDSA', namedCurve: 'P-384' },
    });
    const { newWithNew, newWithOld, oldWithNew } = await createCrossCertificates(oldRoot, newRoot);
    expect(hex(newWithNew)).toBe(hex(newRoot.certificate));

    const oldTbs = parseCertificate(oldRoot.certificate).tbsCertificate;
    const newTbs = parseCertificate(newRoot.certificate).tbsCertificate;
    const nwo = parseCertificate(newWithOld).tbsCertificate;
    const own = parseCertificate(oldWithNew).tbsCertificate;
    // newWithOld: the new key and name, issued by the old name, from new notBefore to old notAfter.
    expect(hex(nwo.subjectPublicKeyInfo.subjectPublicKey)).toBe(hex(newTbs.subjectPublicKeyInfo.subjectPublicKey));
    expect(hex(AsnConvert.serialize(nwo.subject))).toBe(hex(AsnConvert.serialize(newTbs.subject)));
    expect(hex(AsnConvert.serialize(nwo.issuer))).toBe(hex(AsnConvert.serialize(oldTbs.subject)));
    expect(nwo.validity.notBefore.getTime()).toEqual(newTbs.validity.notBefore.getTime());
    expect(nwo.validity.notAfter.getTime()).toEqual(oldTbs.validity.notAfter.getTime());
    expect(keyId(newWithOld, oids.id_ce_subjectKeyIdentifier)).toBe(keyId(newRoot.certificate, oids.id_ce_subjectKeyIdentifier));
    expect(keyId(newWithOld, oids.id_ce_authorityKeyIdentifier)).toBe(keyId(oldRoot.certificate, oids.id_ce_subjectKeyIdentifier));
    expect(parseCertificate(newWithOld).signatureAlgorithm.algorithm).toBe(oids.ecdsa_with_SHA256);
    // oldWithNew: the old key and name, issued by the new name, with the old validity.
    expect(hex(own.subjectPublicKeyInfo.subjectPublicKey)).toBe(hex(oldTbs.subjectPublicKeyInfo.subjectPublicKey));
    expect(hex(AsnConvert.serialize(own.issuer))).toBe(hex(AsnConvert.serialize(newTbs.subject)));
    expect(own.validity.notBefore.getTime()).toEqual(oldTbs.validity.notBefore.getTime());
    expect(own.validity.notAfter.getTime()).toEqual(oldTbs.validity.notAfter.getTime());
    expect(keyId(oldWithNew, oids.id_ce_authorityKeyIdentifier)).toBe(keyId(newRoot.certificate, oids.id_ce_subjectKeyIdentifier));
    expect(parseCertificate(oldWithNew).signatureAlgorithm.algorithm).toBe(oids.ecdsa_with_SHA384);
    expect(extensionIds(newWithOld)).toEqual(CA_EXTENSIONS);

    if (opensslMissing) return;
    const slug = _name.replace(/\W+/g, '-');
    const oldPem = ws.write(`${slug}-old.pem`, 'CERTIFICATE', oldRoot.certificate);
    const newPem = ws.write(`${slug}-new.pem`, 'CERTIFICATE', newRoot.certificate);
    const nwoPem = ws.write(`${slug}-nwo.pem`, 'CERTIFICATE', newWithOld);
    const ownPem = ws.write(`${slug}-own.pem`, 'CERTIFICATE', oldWithNew);
    // newWithOld verifies under the old key, oldWithNew under the new key.
    expect(ws.verify(['-CAfile', oldPem, nwoPem]).stdout).toContain(`${slug}-nwo.pem: OK`);
    expect(ws.verify(['-CAfile', newPem, ownPem]).stdout).toContain(`${slug}-own.pem: OK`);
    // ...and not the other way round.
    expect(ws.verify(['-partial_chain', '-CAfile', newPem, nwoPem]).status).not.toBe(0);
    // An end entity that trusts only the old root accepts certificates of the new root through newWithOld.
    const newCa = createCertificateAuthority({ ...newRoot, clock });
    const ee = await newCa.issue({ template: template(await spkiOf((await keyPair()).publicKey), '/CN=ee'), profile: profiles.tlsClient });
    const eePem = ws.write(`${slug}-ee.pem`, 'CERTIFICATE', ee.certificate);
    expect(ws.verify(['-CAfile', oldPem, '-untrusted', nwoPem, eePem]).stdout).toContain(`${slug}-ee.pem: OK`);
    // One that trusts only the new root accepts certificates of the old root through oldWithNew.
    const oldCa = createCertificateAuthority({ ...oldRoot, clock });
    const oldEe = await oldCa.issue({
      template: template(await spkiOf((await keyPair()).publicKey), '/CN=old ee'),
      profile: profiles.tlsClient,
    });
    const oldEePem = ws.write(`${slug}-old-ee.pem`, 'CERTIFICATE', oldEe.certificate);
    expect(ws.verify(['-CAfile', newPem, '-untrusted', ownPem, oldEePem]).stdout).toContain(`${slug}-old-ee.pem: OK`);
  });

  it('refuses a key that does not match its certificate, or validity periods that do not meet (systemFailure)', async () => {
    const a = await createSelfSignedCa({ subject: '/CN=A', clock });
    const b = await createSelfSignedCa({ subject: '/CN=B', clock });
    await expectIssuanceError(
      createCrossCertificates({ certificate: a.certificate, privateKey: b.privateKey }, b),
      'systemFailure',
      /old CA private key/,
    );
    await expectIssuanceError(
      createCrossCertificates(a, { certificate: b.certificate, privateKey: a.privateKey }),
      'systemFailure',
      /new CA private key/,
    );
    const later = await createSelfSignedCa({ subject: '/CN=Later', clock: () => new Date(NOW.getTime() + 4000 * DAY) });
    await expectIssuanceError(createCrossCertificates(a, later), 'systemFailure', /start before/);
  });
});
