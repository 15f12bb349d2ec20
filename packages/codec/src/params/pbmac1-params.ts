import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { oids } from '../oids.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';

/**
 * PBKDF2-params, RFC 8018 appendix A.2:
 *
 * ```asn1
 * PBKDF2-params ::= SEQUENCE {
 *     salt CHOICE {
 *         specified OCTET STRING,
 *         otherSource AlgorithmIdentifier {{PBKDF2-SaltSources}}
 *     },
 *     iterationCount INTEGER (1..MAX),
 *     keyLength INTEGER (1..MAX) OPTIONAL,
 *     prf AlgorithmIdentifier {{PBKDF2-PRFs}} DEFAULT algid-hmacWithSHA1 }
 * ```
 *
 * `prf` is absent when it is the default, hmacWithSHA1 with NULL parameters.
 */
export interface PBKDF2Params {
  salt: { type: 'specified'; value: Uint8Array } | { type: 'otherSource'; value: AlgorithmIdentifier };
  iterationCount: number;
  keyLength?: number;
  prf?: AlgorithmIdentifier;
}

/**
 * PBMAC1-params, RFC 8018 appendix A.5 (used by CMP per RFC 9481 section 6.1.2):
 *
 * ```asn1
 * PBMAC1-params ::=  SEQUENCE {
 *     keyDerivationFunc AlgorithmIdentifier {{PBMAC1-KDFs}},
 *     messageAuthScheme AlgorithmIdentifier {{PBMAC1-MACs}} }
 * ```
 */
export interface PBMAC1Params {
  keyDerivationFunc: AlgorithmIdentifier;
  messageAuthScheme: AlgorithmIdentifier;
}

function isDefaultPrf(alg: AlgorithmIdentifier): boolean {
  const p = alg.parameters?.der;
  return alg.algorithm === oids.id_hmacWithSHA1 && p !== undefined && p.length === 2 && p[0] === 5 && p[1] === 0;
}

function readPositive(r: DerReader, field: string): number {
  const at = r.pos;
  const value = r.integer(field);
  if (value < 1) r.fail('integerRange', at, `${field} must be at least 1`, field);
  return value;
}

function readPBKDF2Params(r: DerReader, field: string): PBKDF2Params {
  const s = r.sequence(field);
  const salt: PBKDF2Params['salt'] = s.isNext(Tag.OCTET_STRING)
    ? { type: 'specified', value: s.octetString('salt') }
    : { type: 'otherSource', value: readAlgorithmIdentifier(s, 'salt') };
  const params: PBKDF2Params = { salt, iterationCount: readPositive(s, 'iterationCount') };
  if (s.isNext(Tag.INTEGER)) params.keyLength = readPositive(s, 'keyLength');
  if (!s.atEnd()) {
    const at = s.pos;
    const prf = readAlgorithmIdentifier(s, 'prf');
    if (isDefaultPrf(prf)) s.fail('defaultEncoded', at, 'prf hmacWithSHA1 is the DEFAULT and must be absent', 'prf');
    params.prf = prf;
  }
  s.finish();
  return params;
}

function writePBKDF2Params(w: DerWriter, params: PBKDF2Params): void {
  w.sequence((w) => {
    if (params.salt.type === 'specified') w.octetString(params.salt.value);
    else writeAlgorithmIdentifier(w, params.salt.value);
    w.integer(params.iterationCount);
    if (params.keyLength !== undefined) w.integer(params.keyLength);
    if (params.prf && !isDefaultPrf(params.prf)) writeAlgorithmIdentifier(w, params.prf);
  });
}

function readPBMAC1Params(r: DerReader, field: string): PBMAC1Params {
  const s = r.sequence(field);
  const params: PBMAC1Params = {
    keyDerivationFunc: readAlgorithmIdentifier(s, 'keyDerivationFunc'),
    messageAuthScheme: readAlgorithmIdentifier(s, 'messageAuthScheme'),
  };
  s.finish();
  return params;
}

function writePBMAC1Params(w: DerWriter, params: PBMAC1Params): void {
  w.sequence((w) => {
    writeAlgorithmIdentifier(w, params.keyDerivationFunc);
    writeAlgorithmIdentifier(w, params.messageAuthScheme);
  });
}

/** Decodes DER PBKDF2-params. */
export function decodePBKDF2Params(der: Uint8Array, options?: DecodeOptions): PBKDF2Params {
  return decodeWith(der, 'PBKDF2-params', readPBKDF2Params, options);
}

/** Encodes PBKDF2-params as DER (a default prf is left out). */
export function encodePBKDF2Params(params: PBKDF2Params): Uint8Array {
  return encodeWith(params, writePBKDF2Params, 128);
}

/** Decodes DER PBMAC1-params (the `parameters` of an id-PBMAC1 AlgorithmIdentifier). */
export function decodePBMAC1Params(der: Uint8Array, options?: DecodeOptions): PBMAC1Params {
  return decodeWith(der, 'PBMAC1-params', readPBMAC1Params, options);
}

/** Encodes PBMAC1-params as DER. */
export function encodePBMAC1Params(params: PBMAC1Params): Uint8Array {
  return encodeWith(params, writePBMAC1Params, 128);
}
