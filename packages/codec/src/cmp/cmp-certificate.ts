import type { DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';

/**
 * CMPCertificate, RFC 9810 section 5.1:
 *
 * ```asn1
 * CMPCertificate ::= CHOICE { x509v3PKCert Certificate, ... }
 * ```
 *
 * Kept as the certificate's exact DER; parse it where its fields are needed.
 */
export type CMPCertificate = DerValue;

export function readCMPCertificate(r: DerReader, field: string): CMPCertificate {
  return { der: r.element(field, Tag.SEQUENCE) };
}

export function writeCMPCertificate(w: DerWriter, cert: CMPCertificate): void {
  w.raw(cert.der);
}

/** `SEQUENCE SIZE (1..MAX) OF CMPCertificate` (extraCerts, caPubs, caCerts). */
export function readCMPCertificates(r: DerReader, field: string, tag: number = Tag.SEQUENCE, minSize = 1): CMPCertificate[] {
  return r.sequenceOf(field, readCMPCertificate, tag, minSize);
}

export function writeCMPCertificates(w: DerWriter, certs: readonly CMPCertificate[], tag: number = Tag.SEQUENCE): void {
  requireItems(certs, 'SEQUENCE SIZE (1..MAX) OF CMPCertificate');
  w.constructed(tag, (w) => {
    for (const cert of certs) w.raw(cert.der);
  });
}
