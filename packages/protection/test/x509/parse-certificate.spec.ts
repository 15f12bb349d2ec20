import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decodePem, KEY_USAGE_NAMES } from '@cmpkit/codec';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyUsage,
} from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { parseCertificate, ProtectionError } from '../../src/index.js';
import { FIXTURES } from '../helpers.js';

/** Every certificate in fixtures/ (PEM files), with its path. */
function fixtureCertificates(): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.pem'))
        decodePem(readFileSync(path, 'utf8'))
          .filter((b) => b.label === 'CERTIFICATE')
          .forEach((b, i) => out.push([`${relative(FIXTURES, path)}#${i}`, b.der]));
    }
  };
  walk(FIXTURES);
  return out;
}

describe('parseCertificate agrees with @peculiar/asn1-x509 on every fixture certificate', () => {
  const certificates = fixtureCertificates();
  it('has fixtures to compare', () => expect(certificates.length).toBeGreaterThan(20));
  for (const [name, der] of certificates) {
    it(name, () => {
      const ours = parseCertificate(der);
      const theirs = AsnConvert.parse(der, Certificate).tbsCertificate;
      expect(ours.notBefore).toEqual(theirs.validity.notBefore.getTime());
      expect(ours.notAfter).toEqual(theirs.validity.notAfter.getTime());
      const extension = (oid: string) => theirs.extensions?.find((e) => e.extnID === oid)?.extnValue.buffer;
      const bc = extension('2.5.29.19');
      if (bc) {
        const parsed = AsnConvert.parse(bc, BasicConstraints);
        expect(ours.basicConstraints).toEqual(
          parsed.pathLenConstraint === undefined ? { cA: parsed.cA } : { cA: parsed.cA, pathLenConstraint: parsed.pathLenConstraint },
        );
      } else expect(ours.basicConstraints).toBeUndefined();
      const ku = extension('2.5.29.15');
      if (ku) {
        const flags = AsnConvert.parse(ku, KeyUsage).toNumber();
        expect(ours.keyUsage).toEqual(KEY_USAGE_NAMES.filter((_, bit) => (flags & (1 << bit)) !== 0));
      } else expect(ours.keyUsage).toBeUndefined();
      const eku = extension('2.5.29.37');
      expect(ours.extKeyUsage).toEqual(eku ? [...AsnConvert.parse(eku, ExtendedKeyUsage)] : undefined);
      const aki = extension('2.5.29.35');
      const keyIdentifier = aki ? AsnConvert.parse(aki, AuthorityKeyIdentifier).keyIdentifier : undefined;
      expect(ours.authorityKeyIdentifier).toEqual(keyIdentifier ? new Uint8Array(keyIdentifier.buffer) : undefined);
    });
  }
});

describe('parseCertificate refuses malformed extensions (badDataFormat)', () => {
  const [, base] = fixtureCertificates()[0]!;
  /** The certificate with `value` as its only extension: only the parse is under test, not the signature. */
  const withExtension = (extnID: string, value: Uint8Array): Uint8Array => {
    const certificate = AsnConvert.parse(base, Certificate);
    certificate.tbsCertificate.extensions = new Extensions([new Extension({ extnID, critical: false, extnValue: new OctetString(value) })]);
    return new Uint8Array(AsnConvert.serialize(certificate));
  };

  it('a keyUsage that is not a BIT STRING, or has more than 7 unused bits', () => {
    expect(() => parseCertificate(withExtension('2.5.29.15', Uint8Array.of(0x04, 0x01, 0x00)))).toThrow(ProtectionError);
    expect(() => parseCertificate(withExtension('2.5.29.15', Uint8Array.of(0x03, 0x02, 0x08, 0x80)))).toThrow(ProtectionError);
  });

  it('reads keyUsage bits from the most significant bit of the first octet', () => {
    // 03 03 07 86 80: digitalSignature, keyCertSign, cRLSign, decipherOnly
    expect(parseCertificate(withExtension('2.5.29.15', Uint8Array.of(0x03, 0x03, 0x07, 0x86, 0x80))).keyUsage).toEqual([
      'digitalSignature',
      'keyCertSign',
      'cRLSign',
      'decipherOnly',
    ]);
  });

  it('a basicConstraints with a negative or trailing pathLenConstraint', () => {
    expect(() => parseCertificate(withExtension('2.5.29.19', Uint8Array.of(0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0xff)))).toThrow(
      ProtectionError,
    );
    expect(
      parseCertificate(withExtension('2.5.29.19', Uint8Array.of(0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x03))).basicConstraints,
    ).toEqual({ cA: true, pathLenConstraint: 3 });
    expect(parseCertificate(withExtension('2.5.29.19', Uint8Array.of(0x30, 0x00))).basicConstraints).toEqual({ cA: false });
  });
});
