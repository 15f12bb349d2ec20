import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';

/**
 * KemCiphertextInfo, RFC 9810 section 5.3.19.18 (the value of id-it-kemCiphertextInfo):
 *
 * ```asn1
 * KemCiphertextInfo ::= SEQUENCE {
 *   kem              AlgorithmIdentifier{KEM-ALGORITHM, {...}},
 *   ct               OCTET STRING
 * }
 * ```
 */
export interface KemCiphertextInfo {
  /** The KEM algorithm (and its parameters) that produced `ct`. */
  kem: AlgorithmIdentifier;
  /** The ciphertext output of the KEM Encapsulate function. */
  ct: Uint8Array;
}

export function readKemCiphertextInfo(r: DerReader, field: string): KemCiphertextInfo {
  const s = r.sequence(field);
  const value: KemCiphertextInfo = {
    kem: readAlgorithmIdentifier(s, 'kem'),
    ct: s.octetString('ct'),
  };
  s.finish();
  return value;
}

export function writeKemCiphertextInfo(w: DerWriter, value: KemCiphertextInfo): void {
  w.sequence((w) => {
    writeAlgorithmIdentifier(w, value.kem);
    w.octetString(value.ct);
  });
}

/** Decodes a DER KemCiphertextInfo. */
export function decodeKemCiphertextInfo(der: Uint8Array, options?: DecodeOptions): KemCiphertextInfo {
  return decodeWith(der, 'KemCiphertextInfo', readKemCiphertextInfo, options);
}

/** Encodes a KemCiphertextInfo as DER. */
export function encodeKemCiphertextInfo(value: KemCiphertextInfo): Uint8Array {
  return encodeWith(value, writeKemCiphertextInfo, 1024);
}
