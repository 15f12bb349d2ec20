import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';

/**
 * Extension, RFC 5280 section 4.1:
 *
 * ```asn1
 * Extension  ::=  SEQUENCE  {
 *      extnID      OBJECT IDENTIFIER,
 *      critical    BOOLEAN DEFAULT FALSE,
 *      extnValue   OCTET STRING }
 * ```
 *
 * `critical` is absent when FALSE (DER leaves DEFAULT values out). `extnValue` holds the DER of
 * the extension's own value.
 */
export interface Extension {
  extnID: string;
  critical?: true;
  extnValue: Uint8Array;
}

/** `Extensions  ::=  SEQUENCE SIZE (1..MAX) OF Extension` */
export type Extensions = Extension[];

function readExtension(r: DerReader, field: string, index: number): Extension {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const extnID = s.oid('extnID');
  const ext: Extension = { extnID, extnValue: new Uint8Array(0) };
  if (s.isNext(Tag.BOOLEAN)) {
    const at = s.pos;
    if (!s.boolean('critical')) s.fail('defaultEncoded', at, 'critical FALSE must be absent', 'critical');
    ext.critical = true;
  }
  ext.extnValue = s.octetString('extnValue');
  s.finish();
  return ext;
}

export function readExtensions(r: DerReader, field: string, tag: number = Tag.SEQUENCE): Extensions {
  return r.sequenceOf(field, readExtension, tag, 1);
}

export function writeExtensions(w: DerWriter, extensions: Extensions, tag: number = Tag.SEQUENCE): void {
  requireItems(extensions, 'Extensions');
  w.constructed(tag, (w) => {
    for (const ext of extensions) {
      w.sequence((w) => {
        w.oid(ext.extnID);
        if (ext.critical) w.boolean(true);
        w.octetString(ext.extnValue);
      });
    }
  });
}

/** Decodes DER Extensions (a SEQUENCE of Extension). */
export function decodeExtensions(der: Uint8Array, options?: DecodeOptions): Extensions {
  return decodeWith(der, 'Extensions', (r, f) => readExtensions(r, f), options);
}

/** Encodes Extensions as DER. */
export function encodeExtensions(extensions: Extensions): Uint8Array {
  return encodeWith(extensions, (w, v) => writeExtensions(w, v), 256);
}
