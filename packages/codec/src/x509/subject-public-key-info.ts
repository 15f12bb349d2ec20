import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from './algorithm-identifier.js';

/**
 * SubjectPublicKeyInfo, RFC 5280 section 4.1:
 *
 * ```asn1
 * SubjectPublicKeyInfo  ::=  SEQUENCE  {
 *      algorithm            AlgorithmIdentifier,
 *      subjectPublicKey     BIT STRING  }
 * ```
 *
 * `subjectPublicKey` holds the key octets (the BIT STRING has no unused bits).
 */
export interface SubjectPublicKeyInfo {
  algorithm: AlgorithmIdentifier;
  subjectPublicKey: Uint8Array;
}

export function readSubjectPublicKeyInfo(r: DerReader, field: string, tag: number = Tag.SEQUENCE): SubjectPublicKeyInfo {
  const s = r.sequence(field, tag);
  const algorithm = readAlgorithmIdentifier(s, 'algorithm');
  const subjectPublicKey = s.octetBitString('subjectPublicKey');
  s.finish();
  return { algorithm, subjectPublicKey };
}

export function writeSubjectPublicKeyInfo(w: DerWriter, spki: SubjectPublicKeyInfo, tag: number = Tag.SEQUENCE): void {
  w.constructed(tag, (w) => {
    writeAlgorithmIdentifier(w, spki.algorithm);
    w.bitString(spki.subjectPublicKey);
  });
}

/** Decodes a DER SubjectPublicKeyInfo. */
export function decodeSubjectPublicKeyInfo(der: Uint8Array, options?: DecodeOptions): SubjectPublicKeyInfo {
  return decodeWith(der, 'SubjectPublicKeyInfo', (r, f) => readSubjectPublicKeyInfo(r, f), options);
}

/** Encodes a SubjectPublicKeyInfo as DER (the form WebCrypto imports and exports as 'spki'). */
export function encodeSubjectPublicKeyInfo(spki: SubjectPublicKeyInfo): Uint8Array {
  return encodeWith(spki, (w, v) => writeSubjectPublicKeyInfo(w, v), 128);
}
