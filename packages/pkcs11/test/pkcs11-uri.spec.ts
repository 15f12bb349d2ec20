import { describe, expect, it } from 'vitest';
import { isPkcs11Uri, parsePkcs11Uri, Pkcs11Error, redactPkcs11Uri } from '../src/index.js';

describe('parsePkcs11Uri (RFC 7512)', () => {
  it.each([
    ['pkcs11:object=my-key', { object: 'my-key' }],
    [
      'pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;object=ca;type=private',
      { token: 'The Software PKCS#11 Softtoken', object: 'ca', type: 'private' },
    ],
    ['pkcs11:id=%01%a2;slot-id=3', { id: Uint8Array.of(1, 0xa2), slotId: 3 }],
    [
      'PKCS11:object=k?pin-source=file:/etc/pin&module-path=/usr/lib/softhsm/libsofthsm2.so',
      { object: 'k', pinSource: 'file:/etc/pin', modulePath: '/usr/lib/softhsm/libsofthsm2.so' },
    ],
    [
      'pkcs11:manufacturer=SoftHSM%20project;serial=0123;model=SoftHSM%20v2;x-vendor=1?pin-value=1234',
      { manufacturer: 'SoftHSM project', serial: '0123', model: 'SoftHSM v2', pinValue: '1234' },
    ],
    ['pkcs11:object=%C3%A9t%C3%A9', { object: 'été' }],
    ['pkcs11:', {}],
  ])('%s', (text, expected) => {
    expect(parsePkcs11Uri(text)).toEqual(expected);
  });

  it.each([
    ['file:/x', /must start with 'pkcs11:'/],
    ['pkcs11:object=a;object=b', /appears twice/],
    ['pkcs11:colour=blue', /unknown attribute 'colour'/],
    ['pkcs11:object=%zz', /bad percent-encoding/],
    ['pkcs11:object=%ff', /not UTF-8/],
    ['pkcs11:type=secret', /type must be one of/],
    ['pkcs11:slot-id=one', /slot-id must be a decimal/],
    ['pkcs11:object', /not name=value/],
    ['pkcs11:object=k?pin-value=1&pin-source=file:/p', /pin-value or pin-source, not both/],
  ])('refuses %s', (text, message) => {
    expect(() => parsePkcs11Uri(text)).toThrow(Pkcs11Error);
    expect(() => parsePkcs11Uri(text)).toThrow(message);
  });

  it('tells URIs from paths and hides a pin-value', () => {
    expect(isPkcs11Uri('pkcs11:object=x')).toBe(true);
    expect(isPkcs11Uri('/etc/ca.key.pem')).toBe(false);
    expect(redactPkcs11Uri('pkcs11:object=x?module-path=/m.so&pin-value=secret')).toBe('pkcs11:object=x?module-path=/m.so&pin-value=***');
  });
});
