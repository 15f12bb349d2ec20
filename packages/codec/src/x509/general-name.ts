import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { readName, writeName, type Name } from './name.js';

/**
 * GeneralName, RFC 5280 section 4.2.1.6 (module PKIX1Implicit88, IMPLICIT tags):
 *
 * ```asn1
 * GeneralName ::= CHOICE {
 *      otherName                       [0]     OtherName,
 *      rfc822Name                      [1]     IA5String,
 *      dNSName                         [2]     IA5String,
 *      x400Address                     [3]     ORAddress,
 *      directoryName                   [4]     Name,
 *      ediPartyName                    [5]     EDIPartyName,
 *      uniformResourceIdentifier       [6]     IA5String,
 *      iPAddress                       [7]     OCTET STRING,
 *      registeredID                    [8]     OBJECT IDENTIFIER }
 * ```
 *
 * otherName, x400Address and ediPartyName keep their whole DER (with the `[n]` tag).
 */
export type GeneralName =
  | { type: 'otherName'; value: Uint8Array }
  | { type: 'rfc822Name'; value: string }
  | { type: 'dNSName'; value: string }
  | { type: 'x400Address'; value: Uint8Array }
  | { type: 'directoryName'; value: Name }
  | { type: 'ediPartyName'; value: Uint8Array }
  | { type: 'uniformResourceIdentifier'; value: string }
  | { type: 'iPAddress'; value: Uint8Array }
  | { type: 'registeredID'; value: string };

/** `GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName` */
export type GeneralNames = GeneralName[];

export function readGeneralName(r: DerReader, field: string, index = -1): GeneralName {
  const tag = r.peekTag();
  switch (tag) {
    case 0xa0:
      return { type: 'otherName', value: r.element(field) };
    case 0x81:
      return { type: 'rfc822Name', value: r.ia5String(field, 0x81) };
    case 0x82:
      return { type: 'dNSName', value: r.ia5String(field, 0x82) };
    case 0xa3:
      return { type: 'x400Address', value: r.element(field) };
    case 0xa4: {
      const s = r.sequence(field, 0xa4, index);
      const value = readName(s, 'directoryName');
      s.finish();
      return { type: 'directoryName', value };
    }
    case 0xa5:
      return { type: 'ediPartyName', value: r.element(field) };
    case 0x86:
      return { type: 'uniformResourceIdentifier', value: r.ia5String(field, 0x86) };
    case 0x87:
      return { type: 'iPAddress', value: r.octetString(field, 0x87) };
    case 0x88:
      return { type: 'registeredID', value: r.oid(field, 0x88) };
    default:
      if (tag < 0) return r.fail('truncated', r.pos, 'missing GeneralName', field);
      return r.fail('unexpectedTag', r.pos, 'not a GeneralName alternative', field);
  }
}

export function readGeneralNames(r: DerReader, field: string, tag = 0x30): GeneralNames {
  return r.sequenceOf(field, readGeneralName, tag, 1);
}

export function writeGeneralName(w: DerWriter, name: GeneralName): void {
  switch (name.type) {
    case 'otherName':
    case 'x400Address':
    case 'ediPartyName':
      w.raw(name.value);
      return;
    case 'rfc822Name':
      w.ia5String(name.value, 0x81);
      return;
    case 'dNSName':
      w.ia5String(name.value, 0x82);
      return;
    case 'directoryName':
      w.explicit(4, (w) => writeName(w, name.value));
      return;
    case 'uniformResourceIdentifier':
      w.ia5String(name.value, 0x86);
      return;
    case 'iPAddress':
      w.octetString(name.value, 0x87);
      return;
    case 'registeredID':
      w.oid(name.value, 0x88);
      return;
  }
}

export function writeGeneralNames(w: DerWriter, names: GeneralNames, tag = 0x30): void {
  requireItems(names, 'GeneralNames');
  w.constructed(tag, (w) => {
    for (const n of names) writeGeneralName(w, n);
  });
}

/** Decodes DER GeneralNames (the value of a subjectAltName or issuerAltName extension). */
export function decodeGeneralNames(der: Uint8Array, options?: DecodeOptions): GeneralNames {
  return decodeWith(der, 'GeneralNames', (r, f) => readGeneralNames(r, f), options);
}

/** Encodes GeneralNames as DER (the value of a subjectAltName extension). */
export function encodeGeneralNames(names: GeneralNames): Uint8Array {
  return encodeWith(names, (w, v) => writeGeneralNames(w, v), 128);
}
