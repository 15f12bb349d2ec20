import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readGeneralName, writeGeneralName, type GeneralName } from '../x509/general-name.js';

/**
 * CertId, RFC 4211 section 6.5:
 *
 * ```asn1
 * CertId ::= SEQUENCE {
 *     issuer           GeneralName,
 *     serialNumber     INTEGER }
 * ```
 */
export interface CertId {
  issuer: GeneralName;
  serialNumber: bigint;
}

export function readCertId(r: DerReader, field: string, tag: number = Tag.SEQUENCE, index = -1): CertId {
  const s = r.sequence(field, tag, index);
  const issuer = readGeneralName(s, 'issuer');
  const serialNumber = s.bigInteger('serialNumber');
  s.finish();
  return { issuer, serialNumber };
}

export function writeCertId(w: DerWriter, id: CertId, tag: number = Tag.SEQUENCE): void {
  w.constructed(tag, (w) => {
    writeGeneralName(w, id.issuer);
    w.integer(id.serialNumber);
  });
}
