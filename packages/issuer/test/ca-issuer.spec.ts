import { AsnConvert } from '@peculiar/asn1-schema';
import { ExtendedKeyUsage, id_ce_extKeyUsage } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { IssuanceError } from '@cmpkit/ca';
import { oids, parseName } from '@cmpkit/codec';
import { RequestRejectedError, type CertificationResult } from '@cmpkit/core';
import { issuerSetup } from './support/issuer-setup.js';
import { certRequest, crlContent, ecKey, parseCertificate, serialOf } from './support/requests.js';

function issued(result: CertificationResult): Extract<CertificationResult, { status: 'issued' }> {
  if (result.status !== 'issued') throw new Error(`expected issued, got ${result.status}`);
  return result;
}

function ekuOf(der: Uint8Array): string[] {
  const ext = parseCertificate(der).tbsCertificate.extensions?.find((e) => e.extnID === id_ce_extKeyUsage);
  return ext ? [...AsnConvert.parse(ext.extnValue, ExtendedKeyUsage)] : [];
}

async function rejection(promise: Promise<unknown>): Promise<RequestRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RequestRejectedError);
  return error as RequestRejectedError;
}

describe('createCaIssuer: certify', () => {
  it('issues under the default profile and stores the certificate before answering', async () => {
    const { issuer, store, issuing, root, clock } = await issuerSetup();
    const { spki } = await ecKey();
    const result = issued(await issuer.certify(certRequest(spki)));
    expect(result.chain).toEqual([issuing.certificate, root.certificate]);
    expect(result.caPubs).toEqual([root.certificate]);
    expect(result.privateKeyPkcs8).toBeUndefined();
    const serial = serialOf(result.certificate);
    expect(await store.certificates.get(serial)).toMatchObject({
      status: 'issued',
      subject: '/CN=device-1',
      issuer: '/O=Test/CN=Test Issuing CA',
      profile: 'device',
      requester: 'mac:demo',
      transactionId: '00112233445566778899aabbccddeeff',
      der: result.certificate,
      issuedAt: clock(),
    });
    expect(ekuOf(result.certificate)).toEqual([oids.id_kp_clientAuth, oids.id_kp_serverAuth]);
  });

  it('sends caPubs only for ir', async () => {
    const { issuer } = await issuerSetup();
    const { spki } = await ecKey();
    const result = issued(await issuer.certify(certRequest(spki, { bodyType: 'cr' })));
    expect(result.caPubs).toBeUndefined();
  });

  it('uses the profile the request names', async () => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const result = issued(await issuer.certify(certRequest(spki, { profile: 'tlsServer' })));
    expect(ekuOf(result.certificate)).toEqual([oids.id_kp_serverAuth]);
    expect((await store.certificates.get(serialOf(result.certificate)))?.profile).toBe('tlsServer');
  });

  it('refuses an unknown profile with badCertTemplate', async () => {
    const { issuer } = await issuerSetup();
    const { spki } = await ecKey();
    const error = await rejection(issuer.certify(certRequest(spki, { profile: 'nope' })));
    expect(error.failInfo).toEqual(['badCertTemplate']);
    expect(error.message).toContain('"nope"');
  });

  it('keeps the profile of the updated certificate for a kur without one', async () => {
    const { issuer } = await issuerSetup();
    const { spki } = await ecKey();
    const first = issued(await issuer.certify(certRequest(spki, { profile: 'tlsClient' })));
    const { spki: next } = await ecKey();
    const updated = issued(await issuer.certify(certRequest(next, { bodyType: 'kur', oldCertificate: first.certificate })));
    expect(ekuOf(updated.certificate)).toEqual([oids.id_kp_clientAuth]);
  });

  it('keeps the profile for an RA kur too, finding the updated certificate by oldCertID', async () => {
    const { issuer } = await issuerSetup();
    const { spki } = await ecKey();
    const first = issued(await issuer.certify(certRequest(spki, { profile: 'tlsServer' })));
    const { spki: next } = await ecKey();
    const oldCertID = { issuer: { type: 'directoryName' as const, value: [] }, serialNumber: BigInt(`0x${serialOf(first.certificate)}`) };
    const updated = issued(await issuer.certify(certRequest(next, { bodyType: 'kur', oldCertID })));
    expect(ekuOf(updated.certificate)).toEqual([oids.id_kp_serverAuth]);
  });

  it('passes the CA refusals through with their failInfo', async () => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const request = certRequest(spki);
    request.template = { ...request.template, serialNumber: 5n };
    const error = await issuer.certify(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IssuanceError);
    expect((error as IssuanceError).failInfo).toEqual(['badCertTemplate']);
    expect(await store.certificates.list()).toEqual([]);
  });

  it('refuses a key the profile does not accept with badAlg', async () => {
    const { issuer } = await issuerSetup();
    const { spki } = await ecKey(); // P-256; the profile takes P-384, RSA and Ed25519
    const error = (await issuer.certify(certRequest(spki, { profile: 'templated' })).catch((e: unknown) => e)) as IssuanceError;
    expect(error.failInfo).toEqual(['badAlg']);
  });
});

describe('createCaIssuer: confirm', () => {
  it('marks an accepted certificate confirmed', async () => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const { certificate } = issued(await issuer.certify(certRequest(spki)));
    await issuer.confirm(certificate, true);
    expect((await store.certificates.get(serialOf(certificate)))?.status).toBe('confirmed');
  });

  it('revokes a rejected certificate (cessationOfOperation) and publishes a CRL listing it', async () => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const { certificate } = issued(await issuer.certify(certRequest(spki)));
    await issuer.confirm(certificate, false, 'wrong subject');
    const serial = serialOf(certificate);
    expect(await store.certificates.get(serial)).toMatchObject({ status: 'revoked', revocationReason: 5 });
    const crl = crlContent((await store.crls.current())!.der);
    expect(crl.entries.get(serial)).toBe(5);
  });
});

describe('createCaIssuer: revoke', () => {
  it('revokes with the reason, publishes a CRL, and refuses a second time with certRevoked', async () => {
    const { issuer, store, issuing } = await issuerSetup();
    const { spki } = await ecKey();
    const { certificate } = issued(await issuer.certify(certRequest(spki)));
    const serial = serialOf(certificate);
    const request = {
      issuer: parseName('/O=Test/CN=Test Issuing CA'),
      serialNumber: BigInt(`0x${serial}`),
      reason: 1,
      requester: {
        kind: 'signature' as const,
        sender: { type: 'directoryName' as const, value: [] },
        certificate,
        path: [certificate, issuing.certificate],
        external: false,
      },
    };
    await issuer.revoke(request);
    expect(await store.certificates.get(serial)).toMatchObject({ status: 'revoked', revocationReason: 1 });
    const first = crlContent((await store.crls.current())!.der);
    expect(first.entries.get(serial)).toBe(1);
    expect(first.crlNumber).toBe(1);

    const again = await rejection(issuer.revoke(request));
    expect(again.failInfo).toEqual(['certRevoked']);
    expect(crlContent((await store.crls.current())!.der).crlNumber).toBe(1);
  });

  it('looks a certificate up with its revocation, and takes one off hold (a new CRL without it)', async () => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const { certificate } = issued(await issuer.certify(certRequest(spki)));
    const serial = serialOf(certificate);
    const serialNumber = BigInt(`0x${serial}`);
    const requester = { kind: 'unprotected' as const, sender: { type: 'directoryName' as const, value: [] } };
    expect(await issuer.lookupCertificate(serialNumber)).toEqual({ certificate });
    expect(await issuer.lookupCertificate(0x1234n)).toBeUndefined();
    await issuer.revoke({ serialNumber, reason: 6, requester });
    expect(await issuer.lookupCertificate(serialNumber)).toEqual({ certificate, revocation: { reason: 6 } });
    expect(crlContent((await store.crls.current())!.der).entries.get(serial)).toBe(6);
    await issuer.revive({ serialNumber, requester });
    expect(await issuer.lookupCertificate(serialNumber)).toEqual({ certificate });
    const after = crlContent((await store.crls.current())!.der);
    expect(after.entries.has(serial)).toBe(false);
    expect(after.crlNumber).toBe(2);
    expect((await rejection(issuer.revive({ serialNumber, requester }))).failInfo).toEqual(['certRevoked']);
  });

  it('refuses an unknown serial number with badCertId', async () => {
    const { issuer } = await issuerSetup();
    const error = await rejection(
      issuer.revoke({ serialNumber: 0x1234n, requester: { kind: 'unprotected', sender: { type: 'directoryName', value: [] } } }),
    );
    expect(error.failInfo).toEqual(['badCertId']);
  });

  it('refuses another issuer with badCertId', async () => {
    const { issuer } = await issuerSetup();
    const { spki } = await ecKey();
    const { certificate } = issued(await issuer.certify(certRequest(spki)));
    const error = await rejection(
      issuer.revoke({
        issuer: parseName('/CN=Someone Else'),
        serialNumber: BigInt(`0x${serialOf(certificate)}`),
        requester: { kind: 'unprotected', sender: { type: 'directoryName', value: [] } },
      }),
    );
    expect(error.failInfo).toEqual(['badCertId']);
  });

  it.each([7, 8, 11])('refuses CRLReason %i with badRequest', async (reason) => {
    const { issuer, store } = await issuerSetup();
    const { spki } = await ecKey();
    const { certificate } = issued(await issuer.certify(certRequest(spki)));
    const error = await rejection(
      issuer.revoke({
        serialNumber: BigInt(`0x${serialOf(certificate)}`),
        reason,
        requester: { kind: 'unprotected', sender: { type: 'directoryName', value: [] } },
      }),
    );
    expect(error.failInfo).toEqual(['badRequest']);
    expect((await store.certificates.get(serialOf(certificate)))?.status).toBe('issued');
  });

  it('revokeSerial (the CLI path) reports unknown and already revoked', async () => {
    const { issuer } = await issuerSetup();
    const { spki } = await ecKey();
    const { certificate } = issued(await issuer.certify(certRequest(spki)));
    const serial = BigInt(`0x${serialOf(certificate)}`);
    expect(await issuer.revokeSerial(serial, 4)).toBe('revoked');
    expect(await issuer.revokeSerial(serial, 4)).toBe('alreadyRevoked');
    expect(await issuer.revokeSerial(1n, 4)).toBe('unknown');
  });
});
