import { describe, expect, it } from 'vitest';
import { oids } from '@cmpkit/codec';
import { defineProfile, IssuanceError, profiles, type CertificateProfileInit } from '@cmpkit/ca';

describe('defineProfile', () => {
  it('fills the documented defaults and freezes the result', () => {
    const p = defineProfile({ name: 'plain' });
    expect(p).toEqual({
      name: 'plain',
      validityDays: 365,
      backdateSeconds: 60,
      allowTemplateValidity: false,
      keyAlgorithms: ['ec:P-256', 'ec:P-384', 'ec:P-521', 'rsa:2048+', 'ed25519'],
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: [],
      basicConstraints: { cA: false },
      allowSubjectAltName: true,
      subjectAltNameTypes: ['dNSName', 'iPAddress', 'rfc822Name', 'uniformResourceIdentifier'],
      allowWildcardDnsNames: false,
      allowedExtensions: [],
      extensions: [],
      requireApproval: false,
    });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.keyUsage)).toBe(true);
    expect(Object.isFrozen(p.basicConstraints)).toBe(true);
  });

  it('copies its input, so later changes to it do not leak in', () => {
    const keyUsage: CertificateProfileInit['keyUsage'] = ['digitalSignature'];
    const p = defineProfile({ name: 'copy', keyUsage, requireApproval: true, issueDelay: { polls: 2, seconds: 5 } });
    (keyUsage as string[]).push('keyAgreement');
    expect(p.keyUsage).toEqual(['digitalSignature']);
    expect(p.requireApproval).toBe(true);
    expect(p.issueDelay).toEqual({ polls: 2, seconds: 5 });
  });

  it.each<[string, CertificateProfileInit]>([
    ['no name', { name: '' }],
    ['zero validity', { name: 'x', validityDays: 0 }],
    ['negative backdate', { name: 'x', backdateSeconds: -1 }],
    ['no key algorithms', { name: 'x', keyAlgorithms: [] }],
    ['an unknown key algorithm', { name: 'x', keyAlgorithms: ['ec:P-192' as 'ec:P-256'] }],
    ['an absurd RSA size', { name: 'x', keyAlgorithms: ['rsa:99999+'] }],
    ['an unknown keyUsage', { name: 'x', keyUsage: ['signing' as 'digitalSignature'] }],
    ['a duplicate keyUsage', { name: 'x', keyUsage: ['digitalSignature', 'digitalSignature'] }],
    ['keyCertSign on an end entity', { name: 'x', keyUsage: ['keyCertSign'] }],
    ['a CA without keyCertSign', { name: 'x', basicConstraints: { cA: true } }],
    ['pathLenConstraint on an end entity', { name: 'x', basicConstraints: { cA: false, pathLenConstraint: 0 } }],
    ['a negative pathLenConstraint', { name: 'x', keyUsage: ['keyCertSign'], basicConstraints: { cA: true, pathLenConstraint: -1 } }],
    ['a malformed EKU', { name: 'x', extendedKeyUsage: ['clientAuth'] }],
    ['an unknown SAN type', { name: 'x', subjectAltNameTypes: ['email' as 'rfc822Name'] }],
    ['a bad DNS pattern', { name: 'x', dnsNamePatterns: ['*.*.example.com'] }],
    ['a bad CIDR range', { name: 'x', ipAddressRanges: ['10.0.0.0/33'] }],
    ['a CA-managed allowed extension', { name: 'x', allowedExtensions: [oids.id_ce_subjectKeyIdentifier] }],
    ['a malformed allowed extension', { name: 'x', allowedExtensions: ['2.5.29.x'] }],
    ['a CA-managed fixed extension', { name: 'x', extensions: [{ extnID: oids.id_ce_keyUsage, extnValue: new Uint8Array(2) }] }],
    [
      'a fixed extension also allowed from templates',
      { name: 'x', allowedExtensions: ['2.5.29.32'], extensions: [{ extnID: '2.5.29.32', extnValue: new Uint8Array(2) }] },
    ],
    ['a non-ASCII CRL URL', { name: 'x', crlDistributionPoint: 'http://crl.exämple.com' }],
    ['a relative OCSP URL', { name: 'x', authorityInfoAccess: { ocsp: '/ocsp' } }],
    ['a negative issue delay', { name: 'x', issueDelay: { polls: -1 } }],
  ])('refuses %s (systemFailure)', (_name, init) => {
    let error: unknown;
    try {
      defineProfile(init);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IssuanceError);
    expect((error as IssuanceError).failInfo).toEqual(['systemFailure']);
  });
});

describe('profiles', () => {
  it.each([
    ['tlsServer', ['digitalSignature', 'keyEncipherment'], [oids.id_kp_serverAuth], false],
    ['tlsClient', ['digitalSignature'], [oids.id_kp_clientAuth], false],
    ['device', ['digitalSignature'], [oids.id_kp_clientAuth, oids.id_kp_serverAuth], false],
    ['ra', ['digitalSignature'], [oids.id_kp_cmcRA], false],
    ['kga', ['digitalSignature'], [oids.id_kp_cmKGA], false],
    ['subordinateCa', ['digitalSignature', 'keyCertSign', 'cRLSign'], [], true],
  ] as const)('%s has its keyUsage, extKeyUsage and basicConstraints', (name, keyUsage, eku, cA) => {
    const p = profiles[name];
    expect(p.name).toBe(name);
    expect(p.keyUsage).toEqual(keyUsage);
    expect(p.extendedKeyUsage).toEqual(eku);
    expect(p.basicConstraints.cA).toBe(cA);
  });

  it('cannot be changed', () => {
    expect(Object.isFrozen(profiles)).toBe(true);
    expect(() => (profiles.device.keyUsage as string[]).push('keyAgreement')).toThrow(TypeError);
  });
});
