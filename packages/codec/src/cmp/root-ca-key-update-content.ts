import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readCMPCertificate, type CMPCertificate } from './cmp-certificate.js';

/**
 * RootCaKeyUpdateContent, RFC 9810 section 5.3.19.15 (EXPLICIT tags):
 *
 * ```asn1
 * RootCaKeyUpdateContent ::= SEQUENCE {
 *    newWithNew       CMPCertificate,
 *    newWithOld   [0] CMPCertificate OPTIONAL,
 *    oldWithNew   [1] CMPCertificate OPTIONAL }
 * ```
 */
export interface RootCaKeyUpdateContent {
  newWithNew: CMPCertificate;
  newWithOld?: CMPCertificate;
  oldWithNew?: CMPCertificate;
}

export function readRootCaKeyUpdateContent(r: DerReader, field: string): RootCaKeyUpdateContent {
  const s = r.sequence(field);
  const content: RootCaKeyUpdateContent = { newWithNew: readCMPCertificate(s, 'newWithNew') };
  let e: DerReader | undefined;
  if ((e = s.optionalExplicit(0, 'newWithOld'))) {
    content.newWithOld = readCMPCertificate(e, '');
    e.finish();
  }
  if ((e = s.optionalExplicit(1, 'oldWithNew'))) {
    content.oldWithNew = readCMPCertificate(e, '');
    e.finish();
  }
  s.finish();
  return content;
}

export function writeRootCaKeyUpdateContent(w: DerWriter, content: RootCaKeyUpdateContent): void {
  w.sequence((w) => {
    w.raw(content.newWithNew.der);
    if (content.newWithOld) {
      const cert = content.newWithOld;
      w.explicit(0, (w) => w.raw(cert.der));
    }
    if (content.oldWithNew) {
      const cert = content.oldWithNew;
      w.explicit(1, (w) => w.raw(cert.der));
    }
  });
}
