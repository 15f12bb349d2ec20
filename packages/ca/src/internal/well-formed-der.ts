import { readTlv } from './der.js';

const MAX_DEPTH = 16;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Contents rules of the universal primitive types a value this CA copies may use; others are refused. */
const PRIMITIVE_RULES = new Map<number, (c: Uint8Array) => boolean>([
  [0x01, (c) => c.length === 1 && (c[0] === 0x00 || c[0] === 0xff)], // BOOLEAN
  [0x02, minimalInteger], // INTEGER
  [0x03, (c) => c.length > 0 && (c[0] as number) < 8 && (c.length > 1 || c[0] === 0)], // BIT STRING
  [0x04, () => true], // OCTET STRING
  [0x05, (c) => c.length === 0], // NULL
  [0x06, validOid], // OBJECT IDENTIFIER
  [0x0a, minimalInteger], // ENUMERATED
  [0x0c, validUtf8], // UTF8String
  [0x12, (c) => c.every((b) => (b >= 0x30 && b <= 0x39) || b === 0x20)], // NumericString
  [0x13, (c) => c.every((b) => /[A-Za-z0-9 '()+,\-./:=?]/.test(String.fromCharCode(b)))], // PrintableString
  [0x16, (c) => c.every((b) => b < 0x80)], // IA5String
  [0x17, (c) => /^\d{12}Z$/.test(ascii(c))], // UTCTime (DER form)
  [0x18, (c) => /^\d{14}(\.\d*[1-9])?Z$/.test(ascii(c))], // GeneralizedTime (DER form)
  [0x1a, (c) => c.every((b) => b >= 0x20 && b < 0x7f)], // VisibleString
  [0x1e, (c) => c.length % 2 === 0], // BMPString
]);

function ascii(c: Uint8Array): string {
  let s = '';
  for (const b of c) s += String.fromCharCode(b);
  return s;
}

function minimalInteger(c: Uint8Array): boolean {
  if (c.length === 0) return false;
  if (c.length === 1) return true;
  const [a, b] = [c[0] as number, c[1] as number];
  return !((a === 0x00 && (b & 0x80) === 0) || (a === 0xff && (b & 0x80) !== 0));
}

function validUtf8(c: Uint8Array): boolean {
  try {
    utf8.decode(c);
    return true;
  } catch {
    return false;
  }
}

/** True when `c` is the contents of a DER OBJECT IDENTIFIER: minimal base-128 subidentifiers. */
export function validOid(c: Uint8Array): boolean {
  if (c.length === 0 || (c[c.length - 1] as number) & 0x80) return false;
  let start = true;
  for (const b of c) {
    if (start && b === 0x80) return false;
    start = (b & 0x80) === 0;
  }
  return true;
}

function walk(bytes: Uint8Array, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  for (let pos = 0; pos < bytes.length;) {
    const tlv = readTlv(bytes, pos);
    if (!tlv) return false;
    const constructed = (tlv.tag & 0x20) !== 0;
    const universal = (tlv.tag & 0xc0) === 0;
    if (constructed) {
      if (universal && tlv.tag !== 0x30 && tlv.tag !== 0x31) return false;
      if (!walk(tlv.contents, depth + 1)) return false;
    } else if (universal) {
      const rule = PRIMITIVE_RULES.get(tlv.tag);
      if (!rule || !rule(tlv.contents)) return false;
    }
    pos = tlv.end;
  }
  return true;
}

/**
 * True when `der` is exactly one DER element whose every nested element is well-formed: definite
 * minimal lengths, low tag numbers, and universal primitives (BOOLEAN, INTEGER, OID, strings,
 * times, ...) whose contents are valid for their type. The test for opaque values (an unknown
 * otherName, an x400Address) before a CA copies them into a certificate that relying parties
 * must be able to parse.
 */
export function isWellFormedDer(der: Uint8Array): boolean {
  const tlv = readTlv(der, 0);
  return tlv !== null && tlv.end === der.length && walk(der, 0);
}
