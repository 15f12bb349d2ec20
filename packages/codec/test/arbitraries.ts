/**
 * fast-check arbitraries for the codec's value types. Every generated value is one the decoder
 * gives back unchanged: byte fields hold valid DER where the codec keeps DER, SET OF values
 * have one element (so DER sorting cannot reorder them), absent fields are absent keys.
 */
import fc from 'fast-check';
import { encodeOid } from '../src/der/oid.js';
import {
  decodePKIMessage,
  INFO_TYPE_OIDS,
  type AlgorithmIdentifier,
  type CertReqTemplateContent,
  type CertTemplate,
  type Control,
  type CRLStatus,
  type DerValue,
  type EncryptedKey,
  type Extension,
  type GeneralName,
  type InfoTypeAndValue,
  type InfoTypeName,
  type KemCiphertextInfo,
  type Name,
  type RelativeDistinguishedName,
  type Time,
} from '../src/index.js';
import { fixture, fixtureDir, pemFixture } from './fixtures.js';

const utf8 = new TextEncoder();

/** One DER element with identifier `tag` and contents `body`. */
export function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const header = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : [tag, 0x82, n >> 8, n & 0xff];
  return new Uint8Array([...header, ...body]);
}

const KNOWN_OIDS = new Set(Object.values(INFO_TYPE_OIDS));

export const oidArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(0, 1, 2),
    fc.nat(39),
    fc.array(fc.oneof(fc.nat(127), fc.nat(0xffffffff), fc.bigInt({ min: 0n, max: 1n << 70n })), {
      maxLength: 6,
    }),
  )
  .map(([a, b, rest]) => [a, b, ...rest].join('.'));

const oidDer = oidArb.map((oid) => tlv(0x06, encodeOid(oid) as Uint8Array));

/** A whole DER element of an ANY field (parameters, unknown infoValue). */
export const anyElementArb: fc.Arbitrary<DerValue> = fc
  .oneof(
    fc.constant(Uint8Array.of(0x05, 0x00)),
    fc.integer({ min: -128, max: 127 }).map((v) => Uint8Array.of(0x02, 0x01, v & 0xff)),
    fc.uint8Array({ maxLength: 300 }).map((b) => tlv(0x04, b)),
    oidDer,
    fc.uint8Array({ maxLength: 200 }).map((b) => tlv(0x30, b)),
  )
  .map((der) => ({ der }));

export const algIdArb: fc.Arbitrary<AlgorithmIdentifier> = fc.record(
  { algorithm: oidArb, parameters: anyElementArb },
  { requiredKeys: ['algorithm'] },
);

const REAL_CERTS = ['root', 'issuing', 'ee'].map((n) => pemFixture(`pki/openssl-3.0/${n}.pem`));
const REAL_CRLS = [fixture('der/itav/sources/issuing-crl1.der'), fixture('der/itav/sources/issuing-crl2.der')];

/** A CMPCertificate: a real one, or an opaque SEQUENCE (the codec does not parse its contents). */
export const certArb: fc.Arbitrary<DerValue> = fc
  .oneof(
    fc.constantFrom(...REAL_CERTS),
    fc.uint8Array({ maxLength: 200 }).map((b) => tlv(0x30, b)),
  )
  .map((der) => ({ der }));

/** A CertificateList, kept as DER like a certificate. */
export const crlArb: fc.Arbitrary<DerValue> = fc
  .oneof(
    fc.constantFrom(...REAL_CRLS),
    fc.uint8Array({ maxLength: 200 }).map((b) => tlv(0x30, b)),
  )
  .map((der) => ({ der }));

export const textArb = fc.string({ unit: 'grapheme', maxLength: 24 });
const ia5Arb = fc.string({ unit: 'binary-ascii', maxLength: 40 });

/** GeneralizedTime values: years 0000-9999, millisecond precision. */
export const generalizedDateArb = fc.date({
  min: new Date('0000-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});

const utcDateArb = fc
  .date({
    min: new Date('1950-01-01T00:00:00Z'),
    max: new Date('2049-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));

export const timeArb: fc.Arbitrary<Time> = fc.oneof(
  utcDateArb.map((value): Time => ({ type: 'utcTime', value })),
  generalizedDateArb.map((value): Time => ({ type: 'generalTime', value })),
);

export const rdnArb: fc.Arbitrary<RelativeDistinguishedName> = fc
  .tuple(oidArb, textArb)
  .map(([type, text]) => [{ type, value: { der: tlv(0x0c, utf8.encode(text)) } }]);

export const nameArb: fc.Arbitrary<Name> = fc.array(rdnArb, { maxLength: 3 });

export const generalNameArb: fc.Arbitrary<GeneralName> = fc.oneof(
  ia5Arb.map((value): GeneralName => ({ type: 'rfc822Name', value })),
  ia5Arb.map((value): GeneralName => ({ type: 'dNSName', value })),
  ia5Arb.map((value): GeneralName => ({ type: 'uniformResourceIdentifier', value })),
  fc
    .oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 }))
    .map((value): GeneralName => ({ type: 'iPAddress', value })),
  oidArb.map((value): GeneralName => ({ type: 'registeredID', value })),
  nameArb.map((value): GeneralName => ({ type: 'directoryName', value })),
);

export const generalNamesArb = fc.array(generalNameArb, { minLength: 1, maxLength: 3 });

const extensionArb: fc.Arbitrary<Extension> = fc.record(
  {
    extnID: oidArb,
    critical: fc.constant(true as const),
    extnValue: fc.uint8Array({ maxLength: 40 }),
  },
  { requiredKeys: ['extnID', 'extnValue'] },
);

export const certTemplateArb: fc.Arbitrary<CertTemplate> = fc.record(
  {
    version: fc.nat(2),
    serialNumber: fc.bigInt({ min: -(1n << 100n), max: 1n << 160n }),
    signingAlg: algIdArb,
    issuer: nameArb,
    validity: fc.record({ notBefore: timeArb, notAfter: timeArb }, { requiredKeys: [] }),
    subject: nameArb,
    extensions: fc.array(extensionArb, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);

export const controlArb: fc.Arbitrary<Control> = fc.oneof(
  algIdArb.map((value): Control => ({ type: 'algId', value })),
  fc.integer({ min: 1, max: 2 ** 31 }).map((value): Control => ({ type: 'rsaKeyLen', value })),
  textArb.map((value): Control => ({ type: 'regToken', value })),
);

export const certReqTemplateContentArb: fc.Arbitrary<CertReqTemplateContent> = fc.record(
  { certTemplate: certTemplateArb, keySpec: fc.array(controlArb, { minLength: 1, maxLength: 3 }) },
  { requiredKeys: ['certTemplate'] },
);

export const crlStatusArb: fc.Arbitrary<CRLStatus> = fc.record(
  {
    source: fc.oneof(
      generalNamesArb.map((value): CRLStatus['source'] => ({
        type: 'dpn',
        value: { type: 'fullName', value },
      })),
      rdnArb.map((value): CRLStatus['source'] => ({
        type: 'dpn',
        value: { type: 'nameRelativeToCRLIssuer', value },
      })),
      generalNamesArb.map((value): CRLStatus['source'] => ({ type: 'issuer', value })),
    ),
    thisUpdate: timeArb,
  },
  { requiredKeys: ['source'] },
);

const octetsArb = fc.uint8Array({ maxLength: 64 });

export const encryptedKeyArb: fc.Arbitrary<EncryptedKey> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b): EncryptedKey => ({ type: 'envelopedData', value: { der: tlv(0x30, b) } })),
  fc
    .record(
      {
        intendedAlg: algIdArb,
        symmAlg: algIdArb,
        encSymmKey: octetsArb,
        keyAlg: algIdArb,
        valueHint: octetsArb,
        encValue: octetsArb,
      },
      { requiredKeys: ['encValue'] },
    )
    .map((value): EncryptedKey => ({ type: 'encryptedValue', value })),
);

export const kemCiphertextInfoArb: fc.Arbitrary<KemCiphertextInfo> = fc.record({
  kem: algIdArb,
  ct: fc.uint8Array({ maxLength: 1600 }),
});

/** Real decoded PKIMessages (with their raw bytes, as the decoder returns them). */
const REAL_MESSAGES = [...fixtureDir('der/openssl-3.0'), ...fixtureDir('der/openssl-3.0-genm').slice(0, 4)].map(([, der]) =>
  decodePKIMessage(der),
);

/** The arbitrary of each infotype's value. */
export const infoValueArbs: {
  [K in InfoTypeName]: fc.Arbitrary<NonNullable<Extract<InfoTypeAndValue, { type: K }>['infoValue']> | null>;
} = {
  caProtEncCert: certArb,
  signKeyPairTypes: fc.array(algIdArb, { minLength: 1, maxLength: 4 }),
  encKeyPairTypes: fc.array(algIdArb, { minLength: 1, maxLength: 4 }),
  preferredSymmAlg: algIdArb,
  caKeyUpdateInfo: fc.record({ oldWithNew: certArb, newWithOld: certArb, newWithNew: certArb }),
  currentCRL: crlArb,
  unsupportedOIDs: fc.array(oidArb, { minLength: 1, maxLength: 4 }),
  keyPairParamReq: oidArb,
  keyPairParamRep: algIdArb,
  revPassphrase: encryptedKeyArb,
  implicitConfirm: fc.constant(null),
  confirmWaitTime: generalizedDateArb,
  origPKIMessage: fc.array(fc.constantFrom(...REAL_MESSAGES), { minLength: 1, maxLength: 3 }),
  suppLangTags: fc.array(textArb, { maxLength: 4 }),
  caCerts: fc.array(certArb, { minLength: 1, maxLength: 3 }),
  rootCaKeyUpdate: fc.record({ newWithNew: certArb, newWithOld: certArb, oldWithNew: certArb }, { requiredKeys: ['newWithNew'] }),
  certReqTemplate: certReqTemplateContentArb,
  rootCaCert: certArb,
  certProfile: fc.array(textArb, { minLength: 1, maxLength: 4 }),
  crlStatusList: fc.array(crlStatusArb, { minLength: 1, maxLength: 3 }),
  crls: fc.array(crlArb, { minLength: 1, maxLength: 3 }),
  kemCiphertextInfo: kemCiphertextInfoArb,
};

/** InfoTypeAndValues of infotype `type`, with the value present or absent. */
export function itavArbOf(type: InfoTypeName): fc.Arbitrary<InfoTypeAndValue> {
  return fc
    .option(infoValueArbs[type] as fc.Arbitrary<unknown>, { nil: undefined, freq: 4 })
    .map((infoValue) => (infoValue === undefined ? { type } : { type, infoValue }) as InfoTypeAndValue);
}

/** InfoTypeAndValues of an infoType cmpkit does not know. */
export const otherItavArb: fc.Arbitrary<InfoTypeAndValue> = fc.record(
  {
    type: fc.constant('other' as const),
    infoType: oidArb.filter((oid) => !KNOWN_OIDS.has(oid)),
    infoValue: anyElementArb,
  },
  { requiredKeys: ['type', 'infoType'] },
);

/** Any InfoTypeAndValue. */
export const itavArb: fc.Arbitrary<InfoTypeAndValue> = fc.oneof(
  ...(Object.keys(INFO_TYPE_OIDS) as InfoTypeName[]).map(itavArbOf),
  otherItavArb,
);
