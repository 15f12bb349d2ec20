import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';

/**
 * AttributeTypeAndValue, RFC 5280 section 4.1.2.4:
 *
 * ```asn1
 * AttributeTypeAndValue ::= SEQUENCE {
 *   type     AttributeType,            -- OBJECT IDENTIFIER
 *   value    AttributeValue }          -- ANY DEFINED BY type
 * ```
 *
 * `value` keeps its DER (a DirectoryString is usually a UTF8String or PrintableString).
 */
export interface AttributeTypeAndValue {
  type: string;
  value: DerValue;
}

/**
 * ```asn1
 * RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 * ```
 */
export type RelativeDistinguishedName = AttributeTypeAndValue[];

/**
 * Name, RFC 5280 section 4.1.2.4. Its only alternative, rdnSequence, is what this type holds:
 *
 * ```asn1
 * Name ::= CHOICE { -- only one possibility for now --
 *   rdnSequence  RDNSequence }
 * RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
 * ```
 *
 * The empty sequence is the NULL-DN that CMP uses for an unknown sender or recipient.
 */
export type Name = RelativeDistinguishedName[];

function readAttributeTypeAndValue(r: DerReader, field: string, index: number): AttributeTypeAndValue {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const type = s.oid('type');
  const value = { der: s.element('value') };
  s.finish();
  return { type, value };
}

/** Reads a RelativeDistinguishedName (a SET OF, or an IMPLICIT `[n]` one when `tag` is given). */
export function readRelativeDistinguishedName(r: DerReader, field: string, index = -1, tag: number = Tag.SET): RelativeDistinguishedName {
  return r.sequenceOf(field, readAttributeTypeAndValue, tag, 1, index);
}

/** Writes a RelativeDistinguishedName, its attributes sorted into DER SET OF order. */
export function writeRelativeDistinguishedName(w: DerWriter, rdn: RelativeDistinguishedName, tag: number = Tag.SET): void {
  w.setOf(
    rdn,
    (w, atv) =>
      w.sequence((w) => {
        w.oid(atv.type);
        w.raw(atv.value.der);
      }),
    tag,
  );
}

export function readName(r: DerReader, field: string): Name {
  return r.sequenceOf(field, (s, f, i) => readRelativeDistinguishedName(s, f, i));
}

export function writeName(w: DerWriter, name: Name): void {
  w.sequence((w) => {
    for (const rdn of name) {
      requireItems(rdn, 'RelativeDistinguishedName');
      writeRelativeDistinguishedName(w, rdn);
    }
  });
}

/** Decodes a DER Name. */
export function decodeName(der: Uint8Array, options?: DecodeOptions): Name {
  return decodeWith(der, 'Name', readName, options);
}

/** Encodes a Name as DER. */
export function encodeName(name: Name): Uint8Array {
  return encodeWith(name, writeName, 128);
}
