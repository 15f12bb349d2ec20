import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';

/**
 * EncryptedValue, RFC 4211 section 4.2.1 (IMPLICIT tags; deprecated by RFC 9810 in favour of
 * EnvelopedData, still sent by older peers):
 *
 * ```asn1
 * EncryptedValue ::= SEQUENCE {
 *     intendedAlg   [0] AlgorithmIdentifier  OPTIONAL,
 *     symmAlg       [1] AlgorithmIdentifier  OPTIONAL,
 *     encSymmKey    [2] BIT STRING           OPTIONAL,
 *     keyAlg        [3] AlgorithmIdentifier  OPTIONAL,
 *     valueHint     [4] OCTET STRING         OPTIONAL,
 *     encValue       BIT STRING }
 * ```
 *
 * The BIT STRINGs carry whole octets.
 */
export interface EncryptedValue {
  intendedAlg?: AlgorithmIdentifier;
  symmAlg?: AlgorithmIdentifier;
  encSymmKey?: Uint8Array;
  keyAlg?: AlgorithmIdentifier;
  valueHint?: Uint8Array;
  encValue: Uint8Array;
}

export function readEncryptedValue(r: DerReader, field: string): EncryptedValue {
  const s = r.sequence(field);
  const v: Partial<EncryptedValue> = {};
  if (s.isNext(0xa0)) v.intendedAlg = readAlgorithmIdentifier(s, 'intendedAlg', 0xa0);
  if (s.isNext(0xa1)) v.symmAlg = readAlgorithmIdentifier(s, 'symmAlg', 0xa1);
  if (s.isNext(0x82)) v.encSymmKey = s.octetBitString('encSymmKey', 0x82);
  if (s.isNext(0xa3)) v.keyAlg = readAlgorithmIdentifier(s, 'keyAlg', 0xa3);
  if (s.isNext(0x84)) v.valueHint = s.octetString('valueHint', 0x84);
  v.encValue = s.octetBitString('encValue');
  s.finish();
  return v as EncryptedValue;
}

export function writeEncryptedValue(w: DerWriter, v: EncryptedValue): void {
  w.sequence((w) => {
    if (v.intendedAlg) writeAlgorithmIdentifier(w, v.intendedAlg, 0xa0);
    if (v.symmAlg) writeAlgorithmIdentifier(w, v.symmAlg, 0xa1);
    if (v.encSymmKey) w.bitString(v.encSymmKey, 0, 0x82);
    if (v.keyAlg) writeAlgorithmIdentifier(w, v.keyAlg, 0xa3);
    if (v.valueHint) w.octetString(v.valueHint, 0x84);
    w.bitString(v.encValue, 0, Tag.BIT_STRING);
  });
}
