// RFC 9483 section 4.2 (revocation) and 5.3.2 (revocation on behalf of an end entity) on the wire:
// every rr is answered with an rp, refusals included, with exactly the failInfo bit the RFC names.
// docs/CONFORMANCE.md names these tests.
import { encodeSubjectPublicKeyInfo, oids, parseName, type PKIBody, type RevDetails } from '@cmpkit/codec';
import { parseCertificate, type SignatureCredential } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { certBody, certConfBody, issuedCertificate, rrBody, spkiOf } from '../support/bodies.js';
import { createEnv, followUp, type Env } from '../support/env.js';
import { createTestPki, newKeyPair, type TestPki } from '../support/pki.js';
import { buildRequest, expectRpAccepted, expectRpRejection, MAC } from '../support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

/** An end entity with a confirmed certificate of the test CA, as a signature credential. */
async function holder(e: Env): Promise<SignatureCredential & { certificate: Uint8Array }> {
  const keyPair = await newKeyPair();
  const ir = await e.ask({ body: await certBody('ir', keyPair, { subject: '/O=cmpkit test/CN=holder' }) });
  const certificate = issuedCertificate(ir.response, 'ip');
  expect((await e.ask({ body: await certConfBody(certificate), ...followUp(ir) })).response.body.type).toBe('pkiconf');
  return { privateKey: keyPair.privateKey, certificate, chain: [pki.ca.certificate] };
}

/** An rr naming `certificate`, changed by `change` (the one RevDetails). */
function rrWith(certificate: Uint8Array, change: (details: RevDetails) => RevDetails, reason?: number): PKIBody {
  const body = rrBody(certificate, reason) as Extract<PKIBody, { type: 'rr' }>;
  return { type: 'rr', content: [change(body.content[0]!)] };
}

const reasonExtension = (code: number) => ({ extnID: oids.id_ce_cRLReasons, extnValue: Uint8Array.of(0x0a, 0x01, code) });

describe('RFC 9483 4.2: rr form', () => {
  it('without issuer, or without serialNumber: rp addInfoNotAvailable', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    for (const drop of ['issuer', 'serialNumber'] as const) {
      const body = rrWith(h.certificate, (d) => {
        const { [drop]: _gone, ...certDetails } = d.certDetails;
        return { ...d, certDetails };
      });
      expectRpRejection((await e.ask({ body, protection: h })).response, ['addInfoNotAvailable']);
    }
    expect(e.issuer.entryOf(h.certificate)?.revoked).toBeUndefined();
  });

  it('two CRLReason extensions, or a reason together with removeFromCRL: rp badRequest', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    for (const codes of [
      [0, 1],
      [0, 8],
    ]) {
      const body = rrWith(h.certificate, (d) => ({ ...d, crlEntryDetails: codes.map(reasonExtension) }));
      expectRpRejection((await e.ask({ body, protection: h })).response, ['badRequest']);
    }
    expect(e.issuer.entryOf(h.certificate)?.revoked).toBeUndefined();
  });

  it.each([7, 11])('an unknown CRLReason (%i): rp badDataFormat', async (code) => {
    const e = createEnv(pki);
    const h = await holder(e);
    const body = rrWith(h.certificate, (d) => ({ ...d, crlEntryDetails: [reasonExtension(code)] }));
    expectRpRejection((await e.ask({ body, protection: h })).response, ['badDataFormat']);
  });

  it('a certDetails version other than 2 (v3): rp badRequest', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    const body = rrWith(h.certificate, (d) => ({ ...d, certDetails: { ...d.certDetails, version: 0 } }));
    expectRpRejection((await e.ask({ body, protection: h })).response, ['badRequest']);
  });

  it('two RevDetails in one rr: rp badRequest, nothing revoked', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    const one = (rrBody(h.certificate, 1) as Extract<PKIBody, { type: 'rr' }>).content[0]!;
    expectRpRejection((await e.ask({ body: { type: 'rr', content: [one, one] }, protection: h })).response, ['badRequest']);
    expect(e.issuer.entryOf(h.certificate)?.revoked).toBeUndefined();
  });

  it('no crlEntryDetails at all (OpenSSL 3.0 without -revreason): revoked as unspecified', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    expect(expectRpAccepted((await e.ask({ body: rrBody(h.certificate), protection: h })).response)).toBe('certificate revoked');
    expect(e.issuer.entryOf(h.certificate)?.revoked).toEqual({ by: 'rr' });
  });
});

describe('RFC 9483 4.2: the certificate named', () => {
  it('another issuer, subject, public key or extension than the certificate has: rp badCertId', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    const own = parseCertificate(h.certificate);
    const otherKey = await spkiOf(await newKeyPair());
    const changes: ((d: RevDetails) => RevDetails)[] = [
      (d) => ({ ...d, certDetails: { ...d.certDetails, issuer: parseName('/O=cmpkit test/CN=Another CA') } }),
      (d) => ({ ...d, certDetails: { ...d.certDetails, subject: parseName('/O=cmpkit test/CN=not the holder') } }),
      (d) => ({ ...d, certDetails: { ...d.certDetails, publicKey: otherKey } }),
      (d) => ({
        ...d,
        certDetails: { ...d.certDetails, extensions: [{ extnID: oids.id_ce_keyUsage, extnValue: Uint8Array.of(3, 2, 1, 6) }] },
      }),
    ];
    for (const change of changes) {
      expectRpRejection((await e.ask({ body: rrWith(h.certificate, change, 1), protection: h })).response, ['badCertId']);
    }
    // The same fields as the certificate has are fine.
    const matching = rrWith(
      h.certificate,
      (d) => ({
        ...d,
        certDetails: { ...d.certDetails, subject: own.subject, publicKey: own.subjectPublicKeyInfo, extensions: [...own.extensions] },
      }),
      1,
    );
    expect(encodeSubjectPublicKeyInfo(own.subjectPublicKeyInfo)).toEqual(own.subjectPublicKeyInfoDer);
    expectRpAccepted((await e.ask({ body: matching, protection: h })).response);
  });

  it('a serial number this CA never issued: rp badCertId', async () => {
    const e = createEnv(pki, { policy: { allowMacRevocation: true } });
    const body = rrWith(pki.other.certificate, (d) => ({ ...d, certDetails: { ...d.certDetails, serialNumber: 12345n } }), 1);
    expectRpRejection((await e.ask({ body })).response, ['badCertId']);
  });

  it('an already revoked certificate: rp certRevoked', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    expectRpAccepted((await e.ask({ body: rrBody(h.certificate, 1), protection: h })).response);
    expectRpRejection((await e.ask({ body: rrBody(h.certificate, 1), protection: pki.ra.credential })).response, ['certRevoked']);
  });
});

describe('RFC 9483 4.2: protection of an rr (answered with rp)', () => {
  it('MAC-protected (without allowMacRevocation): rp wrongIntegrity', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    expectRpRejection((await e.ask({ body: rrBody(h.certificate, 1), protection: MAC })).response, ['wrongIntegrity']);
  });

  it('unprotected: rp badMessageCheck', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    expectRpRejection((await e.ask({ body: rrBody(h.certificate, 1), protection: 'none' })).response, ['badMessageCheck']);
  });

  it("sender set to the certificate's issuer: rp badMessageCheck", async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    const sender = { type: 'directoryName' as const, value: parseCertificate(h.certificate).issuer };
    expectRpRejection((await e.ask({ body: rrBody(h.certificate, 1), protection: h, sender })).response, ['badMessageCheck']);
  });

  it('signed without extraCerts: rp signerNotTrusted', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    const { message } = await buildRequest({ body: rrBody(h.certificate, 1), protection: h, now: clock.date() });
    const { extraCerts: _x, ...bare } = message;
    expectRpRejection((await e.askMessage(bare)).response, ['signerNotTrusted']);
    expect(e.issuer.entryOf(h.certificate)?.revoked).toBeUndefined();
  });
});

describe('RFC 9483 4.2 and 5.3.2: who revokes, and revival', () => {
  it('a PKI management entity with id-kp-cmcRA revokes for an end entity: rp accepted; a plain end entity: rp notAuthorized', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    expectRpRejection((await e.ask({ body: rrBody(h.certificate, 1), protection: pki.other.credential })).response, ['notAuthorized']);
    expectRpAccepted((await e.ask({ body: rrBody(h.certificate, 1), protection: pki.ra.credential })).response);
    expect(e.issuer.entryOf(h.certificate)?.revoked).toEqual({ by: 'rr', reason: 1 });
  });

  it('revive: certificateHold, then removeFromCRL signed by the holder: rp accepted, no longer revoked', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    expectRpAccepted((await e.ask({ body: rrBody(h.certificate, 6), protection: h })).response);
    expect(e.issuer.entryOf(h.certificate)?.revoked).toEqual({ by: 'rr', reason: 6 });
    expect(expectRpAccepted((await e.ask({ body: rrBody(h.certificate, 8), protection: h })).response)).toBe('certificate revived');
    expect(e.issuer.entryOf(h.certificate)).toMatchObject({ revived: true });
    expect(e.issuer.entryOf(h.certificate)?.revoked).toBeUndefined();
  });

  it('revive by an RA for the end entity: rp accepted', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    expectRpAccepted((await e.ask({ body: rrBody(h.certificate, 6), protection: pki.ra.credential })).response);
    expectRpAccepted((await e.ask({ body: rrBody(h.certificate, 8), protection: pki.ra.credential })).response);
    expect(e.issuer.entryOf(h.certificate)?.revoked).toBeUndefined();
  });

  it('revive a certificate that is not revoked: rp badCertId; one revoked for good: rp certRevoked', async () => {
    const e = createEnv(pki);
    const h = await holder(e);
    expectRpRejection((await e.ask({ body: rrBody(h.certificate, 8), protection: h })).response, ['badCertId']);
    expectRpAccepted((await e.ask({ body: rrBody(h.certificate, 1), protection: h })).response);
    expectRpRejection((await e.ask({ body: rrBody(h.certificate, 8), protection: h })).response, ['certRevoked']);
    expect(e.issuer.entryOf(h.certificate)?.revoked).toEqual({ by: 'rr', reason: 1 });
  });
});
