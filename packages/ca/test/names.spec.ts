// What a requester may put into the names of a certificate: every attribute value of the subject
// and of a directoryName, and every other GeneralName of a subjectAltName, is checked against RFC
// 5280's types before the CA signs. Hostile values (arbitrary ASN.1 where a string belongs,
// invalid UTF-8, oversized strings) are refused with badCertTemplate; whatever is accepted must
// give a certificate OpenSSL loads, which the property tests check against `openssl x509`.
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraints } from '@peculiar/asn1-x509';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  IssuanceError,
  profiles,
  SUBJECT_ALT_NAME_TYPES,
  type CertificateAuthority,
} from '@cmpkit/ca';
import { encodeSubjectPublicKeyInfo, oids, parseName, type Extension, type Name, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { buildCertificate } from '../src/internal/build-certificate.js';
import { signerFor } from '../src/internal/signer.js';
import { clock, expectIssuanceError, extensionValue, keyPair, OpensslWorkspace, opensslMissing, spkiOf } from './helpers.js';

/** DER tag-length-value. */
function tlv(tag: number, contents: Uint8Array | readonly number[]): Uint8Array {
  const c = contents instanceof Uint8Array ? contents : Uint8Array.from(contents);
  const n = c.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Uint8Array.of(tag, ...length, ...c);
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const utf8 = (s: string): Uint8Array => tlv(0x0c, text(s));
const printable = (s: string): Uint8Array => tlv(0x13, text(s));
const ia5 = (s: string): Uint8Array => tlv(0x16, text(s));

/** A one-attribute name with the value given as DER. */
const nameWith = (type: string, value: Uint8Array): Name => [[{ type, value: { der: value } }]];

/** A subjectAltName extension of GeneralNames given as DER. */
const san = (...names: Uint8Array[]): Extension => ({
  extnID: oids.id_ce_subjectAltName,
  extnValue: tlv(0x30, Uint8Array.from(names.flatMap((n) => [...n]))),
});

/** otherName: [0] { type-id, [0] EXPLICIT value }. */
function otherName(oidDer: Uint8Array, value: Uint8Array): Uint8Array {
  return tlv(0xa0, [...oidDer, ...tlv(0xa0, value)]);
}
const oidDer = (contents: number[]): Uint8Array => tlv(0x06, contents);
const UPN = oidDer([0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03]); // 1.3.6.1.4.1.311.20.2.3
const HW_MODULE = oidDer([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x04]); // 1.3.6.1.5.5.7.8.4
const PRIVATE_OID = oidDer([0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xc2, 0x7b, 0x01]); // 1.3.6.1.4.1.41339.1

const everySan = defineProfile({ name: 'every SAN type', subjectAltNameTypes: SUBJECT_ALT_NAME_TYPES });

let ca: CertificateAuthority;
let rootCa: CertificateAuthority;
let rootKey: CryptoKey;
let publicKey: SubjectPublicKeyInfo;
let openssl: OpensslWorkspace;

beforeAll(async () => {
  const root = await createSelfSignedCa({ subject: '/O=Example/CN=Names Root CA', clock });
  const issuing = await createSubordinateCa(createCertificateAuthority({ ...root, clock }), {
    subject: '/O=Example/CN=Names Issuing CA',
  });
  ca = createCertificateAuthority({ ...issuing, clock });
  rootCa = createCertificateAuthority({ ...root, clock });
  rootKey = root.privateKey;
  publicKey = await spkiOf((await keyPair()).publicKey);
  openssl = new OpensslWorkspace();
});

afterAll(() => openssl.dispose());

const issue = (subject: Name, extensions?: Extension[]) =>
  ca.issue({ template: { subject, publicKey, ...(extensions ? { extensions } : {}) }, profile: everySan });

/** `openssl x509` loads the certificate and prints its names. */
function opensslLoads(certificate: Uint8Array): { ok: boolean; output: string } {
  const path = openssl.write(`c-${Math.random().toString(36).slice(2)}.pem`, 'CERTIFICATE', certificate);
  const r = openssl.run('x509', '-in', path, '-noout', '-subject', '-ext', 'subjectAltName', '-nameopt', 'RFC2253,-esc_msb');
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

describe('subject attribute values', () => {
  const CN = oids.id_at_commonName;
  const refused: [string, Name, RegExp][] = [
    ['a SEQUENCE as commonName', nameWith(CN, tlv(0x30, utf8('x'))), /commonName must be PrintableString or UTF8String/],
    ['a BIT STRING as commonName', nameWith(CN, tlv(0x03, [0x00, 0x41])), /not a non-string value/],
    ['a [1]-tagged value as commonName', nameWith(CN, tlv(0x81, text('x'))), /commonName must be/],
    ['invalid UTF-8 in a UTF8String', nameWith(CN, tlv(0x0c, [0x41, 0xc3, 0x28])), /not a valid UTF8String/],
    ['an overlong UTF-8 encoding', nameWith(CN, tlv(0x0c, [0xc0, 0xaf])), /not a valid UTF8String/],
    ['a UTF-8 surrogate', nameWith(CN, tlv(0x0c, [0xed, 0xa0, 0x80])), /not a valid UTF8String/],
    ['a BMPString (RFC 5280: PrintableString or UTF8String only)', nameWith(CN, tlv(0x1e, [0x00, 0x41])), /not BMPString/],
    ['a TeletexString', nameWith(CN, tlv(0x14, text('x'))), /not TeletexString/],
    ['a NUL byte in a commonName', nameWith(CN, utf8('evil.example.com\u0000.good.example')), /control characters/],
    ['a C1 control in a commonName', nameWith(CN, utf8('a\u0085b')), /control characters/],
    ['an empty commonName', nameWith(CN, utf8('')), /empty/],
    ['a commonName of 65 characters (ub-common-name 64)', nameWith(CN, utf8('é'.repeat(65))), /longer than 64/],
    ['@ in a PrintableString', nameWith(CN, printable('a@b')), /not a valid PrintableString/],
    ['a three-letter countryName', nameWith(oids.id_at_countryName, printable('DEU')), /longer than 2/],
    ['a countryName of digits', nameWith(oids.id_at_countryName, printable('12')), /two-letter/],
    ['a UTF8String countryName', nameWith(oids.id_at_countryName, utf8('DE')), /countryName must be PrintableString/],
    ['a UTF8String serialNumber', nameWith(oids.id_at_serialNumber, utf8('1234')), /serialNumber must be PrintableString/],
    ['a non-ASCII domainComponent', nameWith(oids.id_domainComponent, tlv(0x16, [0x80])), /not a valid IA5String/],
    ['a UTF8String emailAddress', nameWith(oids.id_emailAddress, utf8('a@example.com')), /emailAddress must be IA5String/],
    ['an INTEGER under an unknown attribute type', nameWith('1.2.3.4', tlv(0x02, [0x01])), /attribute 1\.2\.3\.4 must be/],
    ['an unknown attribute type of 1025 characters', nameWith('1.2.3.4', utf8('a'.repeat(1025))), /longer than 1024/],
    ['trailing bytes after a value', nameWith(CN, Uint8Array.of(...utf8('a'), 0x00)), /not one DER value/],
    [
      'the same attribute type twice in one RDN',
      [
        [
          { type: CN, value: { der: utf8('a') } },
          { type: CN, value: { der: utf8('b') } },
        ],
      ],
      /appears twice/,
    ],
  ];

  it.each(refused)('refuses %s (badCertTemplate)', async (_label, subject, message) => {
    await expectIssuanceError(issue(subject), 'badCertTemplate', message);
  });

  const accepted: [string, Name][] = [
    ['an OpenSSL-style name', parseName('/C=DE/ST=Bayern/L=München/O=Example AG/OU=Devices/CN=device-0001/emailAddress=ops@example.com')],
    ['non-ASCII text', parseName('/O=Zoë Ltd/CN=设备 0001 ✓')],
    ['a commonName of exactly 64 characters', nameWith(oids.id_at_commonName, utf8('é'.repeat(64)))],
    ['domainComponents and a uid', parseName('/DC=com/DC=example/UID=jdoe')],
    ['a multi-valued RDN', parseName('/O=Example/CN=device+serialNumber=A123')],
    ['an unknown attribute type with a string value', nameWith('1.2.3.4', utf8('a value'))],
    ['a lowercase countryName', nameWith(oids.id_at_countryName, printable('de'))],
  ];

  it.skipIf(opensslMissing).each(accepted)('accepts %s, and openssl loads the certificate', async (_label, subject) => {
    const { certificate } = await issue(subject);
    const loaded = opensslLoads(certificate);
    expect(loaded.ok, loaded.output).toBe(true);
  });
});

describe('subjectAltName values', () => {
  const subject = parseName('/CN=san test');
  const refused: [string, Uint8Array, RegExp][] = [
    [
      'a directoryName with a SEQUENCE value',
      tlv(0xa4, tlv(0x30, tlv(0x31, tlv(0x30, [...oidDer([0x55, 0x04, 0x03]), ...tlv(0x30, [])])))),
      /directoryName/,
    ],
    ['an empty directoryName', tlv(0xa4, tlv(0x30, [])), /directoryName in subjectAltName is empty/],
    ['a userPrincipalName that is no UTF8String', otherName(UPN, tlv(0x04, text('x'))), /userPrincipalName/],
    ['a hardwareModuleName without its serial', otherName(HW_MODULE, tlv(0x30, oidDer([0x2b, 0x06]))), /HardwareModuleName/],
    ['an otherName with a 2-byte BOOLEAN inside', otherName(PRIVATE_OID, tlv(0x30, tlv(0x01, [0xff, 0xff]))), /not one DER value/],
    ['an otherName with a non-minimal INTEGER inside', otherName(PRIVATE_OID, tlv(0x02, [0x00, 0x01])), /not one DER value/],
    ['an otherName with invalid UTF-8 inside', otherName(PRIVATE_OID, tlv(0x0c, [0xff])), /not one DER value/],
    ['an otherName without its [0] value', tlv(0xa0, PRIVATE_OID), /not an OtherName/],
    ['an ediPartyName with a BIT STRING partyName', tlv(0xa5, tlv(0xa1, tlv(0x03, [0x00]))), /partyName/],
    ['an x400Address with an indefinite length inside', Uint8Array.of(0xa3, 0x04, 0x30, 0x80, 0x00, 0x00), /x400Address/],
    ['a dNSName with a space', tlv(0x82, text('a b.example.com')), /printable ASCII/],
    ['a dNSName with a byte above 0x7f', tlv(0x82, [0x61, 0xff]), /not DER GeneralNames/],
    ['an iPAddress of 5 bytes', tlv(0x87, [1, 2, 3, 4, 5]), /4 or 16 bytes/],
    ['a registeredID with a non-minimal arc', tlv(0x88, [0x2b, 0x80, 0x01]), /not DER GeneralNames/],
    ['a relative URI', tlv(0x86, text('/path')), /absolute URI/],
  ];

  it.each(refused)('refuses %s (badCertTemplate)', async (_label, generalName, message) => {
    await expectIssuanceError(issue(subject, [san(generalName)]), 'badCertTemplate', message);
  });

  const accepted: [string, Uint8Array][] = [
    ['a userPrincipalName', otherName(UPN, utf8('jdoe@example.com'))],
    ['a hardwareModuleName', otherName(HW_MODULE, tlv(0x30, [...oidDer([0x2b, 0x06, 0x01]), ...tlv(0x04, [1, 2, 3])]))],
    ['an otherName of a private type-id', otherName(PRIVATE_OID, tlv(0x30, [...utf8('x'), ...tlv(0x02, [0x05]), ...tlv(0x01, [0xff])]))],
    ['a directoryName', tlv(0xa4, tlv(0x30, tlv(0x31, tlv(0x30, [...oidDer([0x55, 0x04, 0x03]), ...utf8('dir name')]))))],
    ['an ediPartyName', tlv(0xa5, [...tlv(0xa0, utf8('assigner')), ...tlv(0xa1, printable('party'))])],
    ['an x400Address', tlv(0xa3, tlv(0x30, tlv(0x61, printable('DE'))))],
    ['a registeredID', tlv(0x88, [0x2b, 0x06, 0x01, 0x04, 0x01])],
    ['an IPv6 address', tlv(0x87, new Uint8Array(16).fill(1))],
  ];

  it.skipIf(opensslMissing).each(accepted)('accepts %s, and openssl loads the certificate', async (_label, generalName) => {
    const { certificate } = await issue(subject, [san(generalName)]);
    const loaded = opensslLoads(certificate);
    expect(loaded.ok, loaded.output).toBe(true);
  });
});

describe('other template content', () => {
  const ec = () => publicKey;

  it('refuses a basicConstraints pathLenConstraint without cA (RFC 5280 section 4.2.1.9)', async () => {
    const bc: Extension = {
      extnID: oids.id_ce_basicConstraints,
      extnValue: new Uint8Array(AsnConvert.serialize(new BasicConstraints({ cA: false, pathLenConstraint: 3 }))),
    };
    await expectIssuanceError(
      ca.issue({ template: { subject: parseName('/CN=x'), publicKey: ec(), extensions: [bc] }, profile: profiles.device }),
      'badCertTemplate',
      /pathLenConstraint without cA/,
    );
  });

  it('narrows a CA profile to a requested pathLenConstraint', async () => {
    const caProfile = defineProfile({
      name: 'sub CA',
      keyUsage: ['keyCertSign', 'cRLSign'],
      basicConstraints: { cA: true },
      allowSubjectAltName: false,
    });
    const bc: Extension = {
      extnID: oids.id_ce_basicConstraints,
      extnValue: new Uint8Array(AsnConvert.serialize(new BasicConstraints({ cA: true, pathLenConstraint: 0 }))),
    };
    const { certificate } = await rootCa.issue({
      template: { subject: parseName('/CN=Sub CA'), publicKey: ec(), extensions: [bc] },
      profile: caProfile,
    });
    expect(AsnConvert.parse(extensionValue(certificate, oids.id_ce_basicConstraints)!.value, BasicConstraints).pathLenConstraint).toBe(0);
  });

  it('accepts a requested subjectKeyIdentifier and writes the one it computes', async () => {
    const requested: Extension = { extnID: oids.id_ce_subjectKeyIdentifier, extnValue: tlv(0x04, [1, 2, 3, 4]) };
    const { certificate } = await ca.issue({
      template: { subject: parseName('/CN=ski'), publicKey: ec(), extensions: [requested] },
      profile: profiles.device,
    });
    const ski = extensionValue(certificate, oids.id_ce_subjectKeyIdentifier)!.value;
    expect(ski.length).toBe(22); // OCTET STRING of a 20-byte SHA-1, not the 4 bytes asked for
    await expectIssuanceError(
      ca.issue({
        template: { subject: parseName('/CN=ski'), publicKey: ec(), extensions: [{ ...requested, extnValue: tlv(0x02, [1]) }] },
        profile: profiles.device,
      }),
      'badCertTemplate',
      /subjectKeyIdentifier/,
    );
  });

  it('refuses an RSA key above 16384 bits as a template problem (badCertTemplate), without importing it', async () => {
    const modulus = new Uint8Array(16400 / 8 + 1);
    modulus[1] = 0x80;
    modulus[modulus.length - 1] = 0x01;
    const rsaKey = tlv(0x30, [...tlv(0x02, modulus), ...tlv(0x02, [0x01, 0x00, 0x01])]);
    const spki: SubjectPublicKeyInfo = {
      algorithm: { algorithm: oids.rsaEncryption, parameters: { der: Uint8Array.of(0x05, 0x00) } },
      subjectPublicKey: rsaKey,
    };
    expect(encodeSubjectPublicKeyInfo(spki).length).toBeGreaterThan(2000);
    await expectIssuanceError(
      ca.issue({ template: { subject: parseName('/CN=big'), publicKey: spki }, profile: profiles.device }),
      'badCertTemplate',
      /16400 bits/,
    );
  });
});

// ---- property tests --------------------------------------------------------------------------

const STRING_TAGS = [0x0c, 0x13, 0x16, 0x14, 0x1e, 0x1c, 0x12, 0x1a];
const OTHER_TAGS = [0x30, 0x31, 0x03, 0x02, 0x04, 0x05, 0x01, 0x06, 0x81, 0xa1, 0x17];
const ATTRIBUTE_TYPES = [
  oids.id_at_commonName,
  oids.id_at_countryName,
  oids.id_at_organizationName,
  oids.id_at_serialNumber,
  oids.id_domainComponent,
  oids.id_emailAddress,
  '1.2.3.4',
];

/** Contents: text of any alphabet (as UTF-8), or arbitrary bytes. */
const contentsArb = fc.oneof(
  fc.string({ maxLength: 70, unit: 'grapheme' }).map(text),
  fc.string({ maxLength: 10 }).map(text),
  fc.uint8Array({ maxLength: 40 }),
);

/** A value that is often acceptable: short printable or Unicode text as PrintableString, UTF8String or IA5String. */
const plausibleArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z]{2}$/).map(printable),
  fc.stringMatching(/^[A-Za-z0-9 .-]{1,20}$/).map((t) => tlv(0x13, text(t))),
  fc.stringMatching(/^[a-z0-9.@-]{1,20}$/).map(ia5),
  fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }).map(utf8),
);

/** One attribute value: plausible, or a tag (string types more often) over arbitrary contents. */
const valueArb = fc.oneof(
  { weight: 5, arbitrary: plausibleArb },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...STRING_TAGS) }, fc.constantFrom(...OTHER_TAGS)), contentsArb)
      .map(([tag, contents]) => tlv(tag, contents)),
  },
);

const nameArb: fc.Arbitrary<Name> = fc.array(
  fc.uniqueArray(fc.record({ type: fc.constantFrom(...ATTRIBUTE_TYPES), value: valueArb.map((der) => ({ der })) }), {
    minLength: 1,
    maxLength: 2,
    selector: (a) => a.type,
  }),
  { minLength: 1, maxLength: 3 },
);

const generalNameArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9]{1,10}\.example\.com$/).map((d) => tlv(0x82, text(d))),
  fc.stringMatching(/^[a-z0-9]{1,10}@example\.com$/).map((m) => tlv(0x81, text(m))),
  valueArb.map((v) => otherName(PRIVATE_OID, v)),
  valueArb.map((v) => otherName(UPN, v)),
  contentsArb.map((c) => tlv(0x82, c)),
  contentsArb.map((c) => tlv(0x81, c)),
  contentsArb.map((c) => tlv(0x86, c)),
  nameArb.map((n) =>
    tlv(
      0xa4,
      tlv(
        0x30,
        n.flatMap((rdn) => [
          ...tlv(
            0x31,
            rdn.flatMap((a) => [...tlv(0x30, [...oidOf(a.type), ...a.value.der])]),
          ),
        ]),
      ),
    ),
  ),
  fc.tuple(valueArb, valueArb).map(([a, b]) => tlv(0xa5, [...tlv(0xa0, a), ...tlv(0xa1, b)])),
  contentsArb.map((c) => tlv(0x87, c)),
);

function oidOf(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const parts = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) parts.unshift((v & 0x7f) | 0x80);
    bytes.push(...parts);
  }
  return tlv(0x06, bytes);
}

/** Issues, or expects a badCertTemplate refusal; what is issued must load in openssl. */
async function issuedOrRefused(subject: Name, extensions?: Extension[]): Promise<'issued' | 'refused'> {
  let certificate: Uint8Array;
  try {
    ({ certificate } = await issue(subject, extensions));
  } catch (error) {
    // A Name the codec cannot even encode never reaches the CA's checks; anything else must be a refusal.
    expect(error).toBeInstanceOf(IssuanceError);
    expect((error as IssuanceError).failInfo).toEqual(['badCertTemplate']);
    return 'refused';
  }
  const loaded = opensslLoads(certificate);
  expect(loaded.ok, loaded.output).toBe(true);
  return 'issued';
}

describe.skipIf(opensslMissing)('no accepted template gives a certificate openssl cannot load', () => {
  it.each([
    ['a [1]-tagged commonName', tlv(0x81, text('x'))],
    ['a commonName of invalid UTF-8', tlv(0x0c, [0x41, 0xc3, 0x28])],
  ])('the oracle tells: a certificate with %s, signed without the checks, does not load', async (_label, value) => {
    const subject = tlv(0x30, tlv(0x31, tlv(0x30, [...oidOf(oids.id_at_commonName), ...value])));
    const certificate = await buildCertificate(
      {
        serialNumber: 1n,
        issuer: subject,
        subject,
        notBefore: clock(),
        notAfter: new Date(clock().getTime() + 86_400_000),
        publicKey: encodeSubjectPublicKeyInfo(publicKey),
        extensions: [],
      },
      signerFor(rootKey, globalThis.crypto),
    );
    expect(opensslLoads(certificate).ok).toBe(false);
    await expectIssuanceError(issue(nameWith(oids.id_at_commonName, value)), 'badCertTemplate');
  });

  it('subjects of arbitrary attribute values', async () => {
    const outcomes = { issued: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(nameArb, async (subject) => {
        outcomes[await issuedOrRefused(subject)] += 1;
      }),
      { numRuns: 80, seed: 20250612 },
    );
    // Both outcomes happen, so the property exercises the checks and the openssl side.
    expect(outcomes.issued).toBeGreaterThan(5);
    expect(outcomes.refused).toBeGreaterThan(5);
  }, 120_000);

  it('subjectAltNames of arbitrary GeneralNames', async () => {
    const outcomes = { issued: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(generalNameArb, { minLength: 1, maxLength: 3 }), async (names) => {
        outcomes[await issuedOrRefused(parseName('/CN=san property'), [san(...names)])] += 1;
      }),
      { numRuns: 80, seed: 20250613 },
    );
    expect(outcomes.issued).toBeGreaterThan(5);
    expect(outcomes.refused).toBeGreaterThan(5);
  }, 120_000);
});
