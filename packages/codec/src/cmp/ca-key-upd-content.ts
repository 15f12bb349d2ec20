import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readCMPCertificate, type CMPCertificate } from './cmp-certificate.js';
import { readRootCaKeyUpdateContent, writeRootCaKeyUpdateContent, type RootCaKeyUpdateContent } from './root-ca-key-update-content.js';

/**
 * CAKeyUpdAnnContent, RFC 9810 section 5.3.13 (deprecated with cmp2021):
 *
 * ```asn1
 * CAKeyUpdAnnContent ::= SEQUENCE {
 *     oldWithNew   CMPCertificate, -- old pub signed with new priv
 *     newWithOld   CMPCertificate, -- new pub signed with old priv
 *     newWithNew   CMPCertificate  -- new pub signed with new priv
 * }
 * ```
 */
export interface CAKeyUpdAnnContent {
  oldWithNew: CMPCertificate;
  newWithOld: CMPCertificate;
  newWithNew: CMPCertificate;
}

/**
 * CAKeyUpdContent, RFC 9810 section 5.3.13 (EXPLICIT tags):
 *
 * ```asn1
 * CAKeyUpdContent ::= CHOICE {
 *     cAKeyUpdAnnV2      CAKeyUpdAnnContent, -- deprecated
 *     cAKeyUpdAnnV3  [0] RootCaKeyUpdateContent }
 * ```
 */
export type CAKeyUpdContent =
  { type: 'cAKeyUpdAnnV2'; value: CAKeyUpdAnnContent } | { type: 'cAKeyUpdAnnV3'; value: RootCaKeyUpdateContent };

export function readCAKeyUpdAnnContent(r: DerReader, field: string): CAKeyUpdAnnContent {
  const s = r.sequence(field);
  const oldWithNew = readCMPCertificate(s, 'oldWithNew');
  const newWithOld = readCMPCertificate(s, 'newWithOld');
  const newWithNew = readCMPCertificate(s, 'newWithNew');
  s.finish();
  return { oldWithNew, newWithOld, newWithNew };
}

export function writeCAKeyUpdAnnContent(w: DerWriter, content: CAKeyUpdAnnContent): void {
  w.sequence((w) => {
    w.raw(content.oldWithNew.der);
    w.raw(content.newWithOld.der);
    w.raw(content.newWithNew.der);
  });
}

export function readCAKeyUpdContent(r: DerReader, field: string): CAKeyUpdContent {
  if (r.isNext(0xa0)) {
    const e = r.explicit(0, field);
    const value = readRootCaKeyUpdateContent(e, 'cAKeyUpdAnnV3');
    e.finish();
    return { type: 'cAKeyUpdAnnV3', value };
  }
  return { type: 'cAKeyUpdAnnV2', value: readCAKeyUpdAnnContent(r, field) };
}

export function writeCAKeyUpdContent(w: DerWriter, content: CAKeyUpdContent): void {
  if (content.type === 'cAKeyUpdAnnV3') {
    const value = content.value;
    w.explicit(0, (w) => writeRootCaKeyUpdateContent(w, value));
  } else {
    writeCAKeyUpdAnnContent(w, content.value);
  }
}
