import { describe, expect, it } from 'vitest';
import { createCrossCertificates, createSelfSignedCa } from '@cmpkit/ca';
import { oids, parseName, timeOf, type Control } from '@cmpkit/codec';
import { oidDer } from '../src/pki/oid-der.js';
import { issuerSetup } from './support/issuer-setup.js';
import { certRequest, crlContent, ecKey, serialOf } from './support/requests.js';

async function sha256Hex(der: Uint8Array): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(der))), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

describe('createCaIssuer: general messages', () => {
  it('caCertificates: the issuing CA, then the root', async () => {
    const { issuer, issuing, root } = await issuerSetup();
    expect(await issuer.caCertificates()).toEqual([issuing.certificate, root.certificate]);
  });

  it('rootCaKeyUpdate: undefined before a rollover, the link certificates after one', async () => {
    const { issuer, store, root, clock } = await issuerSetup();
    expect(await issuer.rootCaKeyUpdate(root.certificate)).toBeUndefined();
    expect(await issuer.rootCaKeyUpdate(undefined)).toBeUndefined();

    const newRoot = await createSelfSignedCa({ subject: '/O=Test/CN=Test Root CA 2', clock });
    const links = await createCrossCertificates(root, newRoot);
    await store.rootCaUpdates.add({ oldRootSha256: await sha256Hex(root.certificate), ...links, createdAt: clock() });

    const expected = {
      newWithNew: { der: links.newWithNew },
      newWithOld: { der: links.newWithOld },
      oldWithNew: { der: links.oldWithNew },
    };
    expect(await issuer.rootCaKeyUpdate(root.certificate)).toEqual(expected);
    expect(await issuer.rootCaKeyUpdate(undefined)).toEqual(expected);
    expect(await issuer.rootCaKeyUpdate(newRoot.certificate)).toBeUndefined();
  });

  it('certReqTemplate: fixed subject parts, rsaKeyLen per RSA length and algId for the others (RFC 9483 4.3.3)', async () => {
    const { issuer } = await issuerSetup();
    const content = await issuer.certReqTemplate('templated');
    expect(content?.certTemplate).toEqual({ subject: parseName('/O=Example/OU=Devices') });
    const expected: Control[] = [
      { type: 'algId', value: { algorithm: oids.id_ecPublicKey, parameters: { der: oidDer(oids.secp384r1) } } },
      { type: 'rsaKeyLen', value: 3072 },
      { type: 'rsaKeyLen', value: 2048 },
      { type: 'rsaKeyLen', value: 4096 },
      { type: 'algId', value: { algorithm: oids.id_Ed25519 } },
    ];
    expect(content?.keySpec).toEqual(expected);
  });

  it('certReqTemplate: the default profile without a name, undefined for an unknown one', async () => {
    const { issuer } = await issuerSetup();
    const content = await issuer.certReqTemplate(undefined);
    expect(content?.certTemplate).toEqual({});
    expect(content?.keySpec?.[0]).toEqual({
      type: 'algId',
      value: { algorithm: oids.id_ecPublicKey, parameters: { der: oidDer(oids.secp256r1) } },
    });
    expect(await issuer.certReqTemplate('nope')).toBeUndefined();
  });

  it('crls: the current CRL for no status, for an older one, and nothing when the client is up to date or asks about another CA', async () => {
    const { issuer, store, clock } = await issuerSetup();
    const [first] = await issuer.crls([]);
    expect(first).toBeDefined();
    const current = (await store.crls.current())!;
    expect(first).toEqual(current.der);

    const ours = { type: 'issuer' as const, value: [{ type: 'directoryName' as const, value: parseName('/O=Test/CN=Test Issuing CA') }] };
    const byUrl = {
      type: 'dpn' as const,
      value: { type: 'fullName' as const, value: [{ type: 'uniformResourceIdentifier' as const, value: 'http://crl.example/ca.crl' }] },
    };
    const other = { type: 'issuer' as const, value: [{ type: 'directoryName' as const, value: parseName('/CN=Other CA') }] };
    const older = timeOf(new Date(current.thisUpdate.getTime() - 1000));
    expect(await issuer.crls([{ source: ours }])).toEqual([current.der]);
    expect(await issuer.crls([{ source: ours, thisUpdate: older }])).toEqual([current.der]);
    expect(await issuer.crls([{ source: byUrl, thisUpdate: older }])).toEqual([current.der]);
    expect(await issuer.crls([{ source: ours, thisUpdate: timeOf(current.thisUpdate) }])).toEqual([]);
    expect(await issuer.crls([{ source: other }])).toEqual([]);

    // A revocation makes a newer CRL, which a client with the old one then gets.
    const { spki } = await ecKey();
    const result = await issuer.certify(certRequest(spki));
    if (result.status !== 'issued') throw new Error('not issued');
    clock.advance(5000);
    await issuer.revokeSerial(BigInt(`0x${serialOf(result.certificate)}`), 1);
    const [newer] = await issuer.crls([{ source: ours, thisUpdate: timeOf(current.thisUpdate) }]);
    expect(crlContent(newer!).entries.get(serialOf(result.certificate))).toBe(1);
    expect(crlContent(newer!).crlNumber).toBe(2);
  });

  it('crls: signs a new CRL when the current one is past its nextUpdate', async () => {
    const { issuer, store, clock } = await issuerSetup();
    await issuer.crls([]);
    expect((await store.crls.current())!.crlNumber).toBe(1n);
    clock.advance(24 * 3_600_000);
    const [crl] = await issuer.crls([]);
    expect(crlContent(crl!).crlNumber).toBe(2);
    expect(crlContent(crl!).thisUpdate).toEqual(clock());
  });
});
