import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { EncodeError } from '../errors/encode-error.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';

/**
 * KemBMParameter, RFC 9810 section 5.1.3.4 (the parameters of id-KemBasedMac; the module has
 * EXPLICIT tags, so `kemContext` is an OCTET STRING inside a constructed `[0]`):
 *
 * ```asn1
 * KemBMParameter ::= SEQUENCE {
 *     kdf              AlgorithmIdentifier{KEY-DERIVATION, {...}},
 *     kemContext   [0] OCTET STRING OPTIONAL,
 *     len              INTEGER (1..MAX),
 *     mac              AlgorithmIdentifier{MAC-ALGORITHM, {...}} }
 * ```
 */
export interface KemBMParameter {
  /** The key derivation function (e.g. HKDF with SHA-256, RFC 9481 section 4.4). */
  kdf: AlgorithmIdentifier;
  /** Additional algorithm-specific context, when present. */
  kemContext?: Uint8Array;
  /** The length in octets of the KDF output. */
  len: number;
  /** The MAC algorithm keyed with the KDF output. */
  mac: AlgorithmIdentifier;
}

export function readKemBMParameter(r: DerReader, field: string): KemBMParameter {
  const s = r.sequence(field);
  const kdf = readAlgorithmIdentifier(s, 'kdf');
  let kemContext: Uint8Array | undefined;
  const e = s.optionalExplicit(0, 'kemContext');
  if (e) {
    kemContext = e.octetString('');
    e.finish();
  }
  const at = s.pos;
  const len = s.integer('len');
  if (len < 1) s.fail('integerRange', at, 'len must be at least 1', 'len');
  const value: KemBMParameter = { kdf, len, mac: readAlgorithmIdentifier(s, 'mac') };
  s.finish();
  if (kemContext) value.kemContext = kemContext;
  return value;
}

export function writeKemBMParameter(w: DerWriter, value: KemBMParameter): void {
  if (!Number.isSafeInteger(value.len) || value.len < 1) throw new EncodeError(`KemBMParameter.len ${value.len} is not in 1..MAX`);
  w.sequence((w) => {
    writeAlgorithmIdentifier(w, value.kdf);
    if (value.kemContext) {
      const context = value.kemContext;
      w.explicit(0, (w) => w.octetString(context));
    }
    w.integer(value.len);
    writeAlgorithmIdentifier(w, value.mac);
  });
}

/** Decodes DER KemBMParameter (the `parameters` of an id-KemBasedMac AlgorithmIdentifier). */
export function decodeKemBMParameter(der: Uint8Array, options?: DecodeOptions): KemBMParameter {
  return decodeWith(der, 'KemBMParameter', readKemBMParameter, options);
}

/** Encodes KemBMParameter as DER. Throws `EncodeError` when `len` is not a positive safe integer. */
export function encodeKemBMParameter(value: KemBMParameter): Uint8Array {
  return encodeWith(value, writeKemBMParameter, 128);
}
