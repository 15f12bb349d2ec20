import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';

/**
 * DHBMParameter, RFC 9810 section 5.1.3.2 and Appendix F (the parameters of id-DHBasedMac):
 *
 * ```asn1
 * DHBMParameter ::= SEQUENCE {
 *     owf                 AlgorithmIdentifier{DIGEST-ALGORITHM, {...}},
 *     -- AlgId for an OWF
 *     mac                 AlgorithmIdentifier{MAC-ALGORITHM, {...}}
 *     -- AlgId of the MAC algorithm
 * }
 * ```
 */
export interface DHBMParameter {
  /** The one-way function applied to the Diffie-Hellman shared secret. */
  owf: AlgorithmIdentifier;
  /** The MAC algorithm keyed with the OWF output. */
  mac: AlgorithmIdentifier;
}

export function readDHBMParameter(r: DerReader, field: string): DHBMParameter {
  const s = r.sequence(field);
  const value: DHBMParameter = {
    owf: readAlgorithmIdentifier(s, 'owf'),
    mac: readAlgorithmIdentifier(s, 'mac'),
  };
  s.finish();
  return value;
}

export function writeDHBMParameter(w: DerWriter, value: DHBMParameter): void {
  w.sequence((w) => {
    writeAlgorithmIdentifier(w, value.owf);
    writeAlgorithmIdentifier(w, value.mac);
  });
}

/** Decodes DER DHBMParameter (the `parameters` of an id-DHBasedMac AlgorithmIdentifier). */
export function decodeDHBMParameter(der: Uint8Array, options?: DecodeOptions): DHBMParameter {
  return decodeWith(der, 'DHBMParameter', readDHBMParameter, options);
}

/** Encodes DHBMParameter as DER. */
export function encodeDHBMParameter(value: DHBMParameter): Uint8Array {
  return encodeWith(value, writeDHBMParameter, 64);
}
