import fc from 'fast-check';
import type {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  BitString,
  Extension,
  GeneralName,
  Name,
  SubjectPublicKeyInfo,
  Time,
} from '../../src/index.js';
import { anyOid, ascii, bytes, compareBytes, derValue, generalizedDate, oidContents, text, tlv, utcDate } from './der.js';

export const algorithmIdentifier: fc.Arbitrary<AlgorithmIdentifier> = fc.record(
  { algorithm: anyOid, parameters: derValue },
  { requiredKeys: ['algorithm'] },
);

const attributeValue = fc.oneof(
  text().map((s) => tlv(0x0c, new TextEncoder().encode(s))),
  fc.stringMatching(/^[A-Za-z0-9 ]{0,8}$/).map((s) => tlv(0x13, new TextEncoder().encode(s))),
  derValue.map((v) => v.der),
);

export const attributeTypeAndValue: fc.Arbitrary<AttributeTypeAndValue> = fc.record({
  type: fc.oneof(fc.constantFrom('2.5.4.3', '2.5.4.6', '2.5.4.10', '0.9.2342.19200300.100.1.25'), anyOid),
  value: attributeValue.map((der) => ({ der })),
});

/** DER of an AttributeTypeAndValue by the test encoder: what orders a SET OF. */
function atvDer(atv: AttributeTypeAndValue): Uint8Array {
  return tlv(0x30, tlv(0x06, oidContents(atv.type)), atv.value.der);
}

/** Canonical form: each RDN (SET OF) in DER order, as the decoder returns it. */
export const name: fc.Arbitrary<Name> = fc.array(
  fc.array(attributeTypeAndValue, { minLength: 1, maxLength: 3 }).map((rdn) => [...rdn].sort((a, b) => compareBytes(atvDer(a), atvDer(b)))),
  { maxLength: 4 },
);

export const generalName: fc.Arbitrary<GeneralName> = fc.oneof(
  fc.tuple(anyOid, derValue).map(([o, v]) => ({
    type: 'otherName' as const,
    value: tlv(0xa0, tlv(0x06, oidContents(o)), tlv(0xa0, v.der)),
  })),
  ascii().map((value) => ({ type: 'rfc822Name' as const, value })),
  ascii().map((value) => ({ type: 'dNSName' as const, value })),
  derValue.map((v) => ({ type: 'x400Address' as const, value: tlv(0xa3, v.der) })),
  name.map((value) => ({ type: 'directoryName' as const, value })),
  derValue.map((v) => ({ type: 'ediPartyName' as const, value: tlv(0xa5, tlv(0xa1, v.der)) })),
  ascii().map((value) => ({ type: 'uniformResourceIdentifier' as const, value })),
  fc.oneof(bytes(4), bytes(16)).map((value) => ({ type: 'iPAddress' as const, value })),
  anyOid.map((value) => ({ type: 'registeredID' as const, value })),
);

export const subjectPublicKeyInfo: fc.Arbitrary<SubjectPublicKeyInfo> = fc.record({
  algorithm: algorithmIdentifier,
  subjectPublicKey: bytes(40),
});

/** Canonical form: `critical` is `true` or absent (DER leaves the DEFAULT FALSE out). */
export const extension: fc.Arbitrary<Extension> = fc.record(
  { extnID: anyOid, critical: fc.constant(true as const), extnValue: bytes(20) },
  { requiredKeys: ['extnID', 'extnValue'] },
);

export const extensions: fc.Arbitrary<Extension[]> = fc.array(extension, {
  minLength: 1,
  maxLength: 3,
});

export const time: fc.Arbitrary<Time> = fc.oneof(
  utcDate.map((value) => ({ type: 'utcTime' as const, value })),
  generalizedDate.map((value) => ({ type: 'generalTime' as const, value })),
);

/** A BIT STRING with its padding bits zero (DER), no unused bits when empty. */
export const bitString: fc.Arbitrary<BitString> = fc.tuple(bytes(8), fc.nat({ max: 7 })).map(([b, unused]) => {
  if (b.length === 0) return { bytes: b, unusedBits: 0 };
  const out = b.slice();
  out[out.length - 1] = out[out.length - 1]! & (0xff << unused) & 0xff;
  return { bytes: out, unusedBits: unused };
});
