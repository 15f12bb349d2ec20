import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';

/**
 * PBMParameter, RFC 9810 section 5.1.3.1 (the parameters of id-PasswordBasedMac):
 *
 * ```asn1
 * PBMParameter ::= SEQUENCE {
 *     salt                OCTET STRING,
 *     owf                 AlgorithmIdentifier{DIGEST-ALGORITHM, {...}},
 *     iterationCount      INTEGER,
 *     mac                 AlgorithmIdentifier{MAC-ALGORITHM, {...}} }
 * ```
 */
export interface PBMParameter {
  salt: Uint8Array;
  owf: AlgorithmIdentifier;
  iterationCount: number;
  mac: AlgorithmIdentifier;
}

function readPBMParameter(r: DerReader, field: string): PBMParameter {
  const s = r.sequence(field);
  const value: PBMParameter = {
    salt: s.octetString('salt'),
    owf: readAlgorithmIdentifier(s, 'owf'),
    iterationCount: s.integer('iterationCount'),
    mac: readAlgorithmIdentifier(s, 'mac'),
  };
  s.finish();
  return value;
}

function writePBMParameter(w: DerWriter, value: PBMParameter): void {
  w.sequence((w) => {
    w.octetString(value.salt);
    writeAlgorithmIdentifier(w, value.owf);
    w.integer(value.iterationCount);
    writeAlgorithmIdentifier(w, value.mac);
  });
}

/** Decodes DER PBMParameter (the `parameters` of an id-PasswordBasedMac AlgorithmIdentifier). */
export function decodePBMParameter(der: Uint8Array, options?: DecodeOptions): PBMParameter {
  return decodeWith(der, 'PBMParameter', readPBMParameter, options);
}

/** Encodes PBMParameter as DER. */
export function encodePBMParameter(value: PBMParameter): Uint8Array {
  return encodeWith(value, writePBMParameter, 128);
}
