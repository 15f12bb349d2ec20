import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { EncodeError } from '../errors/encode-error.js';
import { readGeneralNames, writeGeneralNames, type GeneralNames } from '../x509/general-name.js';
import { readRelativeDistinguishedName, writeRelativeDistinguishedName, type RelativeDistinguishedName } from '../x509/name.js';
import { readTime, writeTime, type Time } from '../x509/time.js';

/**
 * DistributionPointName, RFC 5280 section 4.2.1.13 (module PKIX1Implicit88, IMPLICIT tags:
 * `fullName` is the GeneralNames SEQUENCE retagged `[0]`, `nameRelativeToCRLIssuer` the SET OF
 * retagged `[1]`):
 *
 * ```asn1
 * DistributionPointName ::= CHOICE {
 *      fullName                [0]     GeneralNames,
 *      nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }
 * ```
 */
export type DistributionPointName =
  { type: 'fullName'; value: GeneralNames } | { type: 'nameRelativeToCRLIssuer'; value: RelativeDistinguishedName };

/**
 * CRLSource, RFC 9810 section 5.3.19.17 (module PKIXCMP-2023, EXPLICIT tags: `[0]` and `[1]` are
 * constructed wrappers around the whole DistributionPointName and GeneralNames):
 *
 * ```asn1
 * CRLSource ::= CHOICE {
 *    dpn          [0] DistributionPointName,
 *    issuer       [1] GeneralNames }
 * ```
 */
export type CRLSource = { type: 'dpn'; value: DistributionPointName } | { type: 'issuer'; value: GeneralNames };

/**
 * CRLStatus, RFC 9810 section 5.3.19.17 (an element of the id-it-crlStatusList value):
 *
 * ```asn1
 * CRLStatus ::= SEQUENCE {
 *    source       CRLSource,
 *    thisUpdate   Time OPTIONAL }
 * ```
 */
export interface CRLStatus {
  source: CRLSource;
  /** thisUpdate of the newest CRL from `source` the client already has. */
  thisUpdate?: Time;
}

export function readDistributionPointName(r: DerReader, field: string): DistributionPointName {
  const tag = r.peekTag();
  if (tag === 0xa0) return { type: 'fullName', value: readGeneralNames(r, field, 0xa0) };
  if (tag === 0xa1)
    return {
      type: 'nameRelativeToCRLIssuer',
      value: readRelativeDistinguishedName(r, field, -1, 0xa1),
    };
  if (tag < 0) return r.fail('truncated', r.pos, 'missing DistributionPointName', field);
  return r.fail('unexpectedTag', r.pos, 'not a DistributionPointName alternative', field);
}

export function writeDistributionPointName(w: DerWriter, name: DistributionPointName): void {
  if (name.value.length === 0) throw new EncodeError(`DistributionPointName.${name.type} is empty`);
  if (name.type === 'fullName') writeGeneralNames(w, name.value, 0xa0);
  else writeRelativeDistinguishedName(w, name.value, 0xa1);
}

export function readCRLSource(r: DerReader, field: string): CRLSource {
  const tag = r.peekTag();
  if (tag === 0xa0) {
    const e = r.explicit(0, field);
    const value = readDistributionPointName(e, 'dpn');
    e.finish();
    return { type: 'dpn', value };
  }
  if (tag === 0xa1) {
    const e = r.explicit(1, field);
    const value = readGeneralNames(e, 'issuer');
    e.finish();
    return { type: 'issuer', value };
  }
  if (tag < 0) return r.fail('truncated', r.pos, 'missing CRLSource', field);
  return r.fail('unexpectedTag', r.pos, 'not a CRLSource alternative', field);
}

export function writeCRLSource(w: DerWriter, source: CRLSource): void {
  if (source.type === 'dpn') {
    const name = source.value;
    w.explicit(0, (w) => writeDistributionPointName(w, name));
  } else {
    const names = source.value;
    if (names.length === 0) throw new EncodeError('CRLSource.issuer is empty');
    w.explicit(1, (w) => writeGeneralNames(w, names));
  }
}

export function readCRLStatus(r: DerReader, field: string, index = -1): CRLStatus {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const status: CRLStatus = { source: readCRLSource(s, 'source') };
  if (!s.atEnd()) status.thisUpdate = readTime(s, 'thisUpdate');
  s.finish();
  return status;
}

export function writeCRLStatus(w: DerWriter, status: CRLStatus): void {
  w.sequence((w) => {
    writeCRLSource(w, status.source);
    if (status.thisUpdate) writeTime(w, status.thisUpdate);
  });
}
