import type { BitString, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';
import { readExtensions, writeExtensions, type Extensions } from '../x509/extensions.js';
import { readName, writeName, type Name } from '../x509/name.js';
import { readSubjectPublicKeyInfo, writeSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from '../x509/subject-public-key-info.js';
import { readTime, writeTime, type Time } from '../x509/time.js';

/**
 * OptionalValidity, RFC 4211 section 5 (IMPLICIT tags; Time is a CHOICE, so its tags are
 * explicit):
 *
 * ```asn1
 * OptionalValidity ::= SEQUENCE {
 *     notBefore  [0] Time OPTIONAL,
 *     notAfter   [1] Time OPTIONAL } -- at least one MUST be present
 * ```
 */
export interface OptionalValidity {
  notBefore?: Time;
  notAfter?: Time;
}

/**
 * CertTemplate, RFC 4211 section 5 (IMPLICIT tags):
 *
 * ```asn1
 * CertTemplate ::= SEQUENCE {
 *     version      [0] Version               OPTIONAL,
 *     serialNumber [1] INTEGER               OPTIONAL,
 *     signingAlg   [2] AlgorithmIdentifier   OPTIONAL,
 *     issuer       [3] Name                  OPTIONAL,
 *     validity     [4] OptionalValidity      OPTIONAL,
 *     subject      [5] Name                  OPTIONAL,
 *     publicKey    [6] SubjectPublicKeyInfo  OPTIONAL,
 *     issuerUID    [7] UniqueIdentifier      OPTIONAL,
 *     subjectUID   [8] UniqueIdentifier      OPTIONAL,
 *     extensions   [9] Extensions            OPTIONAL }
 * ```
 */
export interface CertTemplate {
  version?: number;
  serialNumber?: bigint;
  signingAlg?: AlgorithmIdentifier;
  issuer?: Name;
  validity?: OptionalValidity;
  subject?: Name;
  publicKey?: SubjectPublicKeyInfo;
  issuerUID?: BitString;
  subjectUID?: BitString;
  extensions?: Extensions;
}

function readExplicitName(r: DerReader, n: number, field: string): Name {
  const e = r.explicit(n, field);
  const name = readName(e, '');
  e.finish();
  return name;
}

function readOptionalValidity(r: DerReader, field: string, tag: number): OptionalValidity {
  const s = r.sequence(field, tag);
  const validity: OptionalValidity = {};
  let e: DerReader | undefined;
  if ((e = s.optionalExplicit(0, 'notBefore'))) {
    validity.notBefore = readTime(e, '');
    e.finish();
  }
  if ((e = s.optionalExplicit(1, 'notAfter'))) {
    validity.notAfter = readTime(e, '');
    e.finish();
  }
  s.finish();
  return validity;
}

export function readCertTemplate(r: DerReader, field: string, tag: number = Tag.SEQUENCE): CertTemplate {
  const s = r.sequence(field, tag);
  const t: CertTemplate = {};
  if (s.isNext(0x80)) t.version = s.integer('version', 0x80);
  if (s.isNext(0x81)) t.serialNumber = s.bigInteger('serialNumber', 0x81);
  if (s.isNext(0xa2)) t.signingAlg = readAlgorithmIdentifier(s, 'signingAlg', 0xa2);
  if (s.isNext(0xa3)) t.issuer = readExplicitName(s, 3, 'issuer');
  if (s.isNext(0xa4)) t.validity = readOptionalValidity(s, 'validity', 0xa4);
  if (s.isNext(0xa5)) t.subject = readExplicitName(s, 5, 'subject');
  if (s.isNext(0xa6)) t.publicKey = readSubjectPublicKeyInfo(s, 'publicKey', 0xa6);
  if (s.isNext(0x87)) t.issuerUID = s.bitString('issuerUID', 0x87);
  if (s.isNext(0x88)) t.subjectUID = s.bitString('subjectUID', 0x88);
  if (s.isNext(0xa9)) t.extensions = readExtensions(s, 'extensions', 0xa9);
  s.finish();
  return t;
}

export function writeCertTemplate(w: DerWriter, t: CertTemplate, tag: number = Tag.SEQUENCE): void {
  w.constructed(tag, (w) => {
    if (t.version !== undefined) w.integer(t.version, 0x80);
    if (t.serialNumber !== undefined) w.integer(t.serialNumber, 0x81);
    if (t.signingAlg) writeAlgorithmIdentifier(w, t.signingAlg, 0xa2);
    if (t.issuer) {
      const issuer = t.issuer;
      w.explicit(3, (w) => writeName(w, issuer));
    }
    if (t.validity) {
      const validity = t.validity;
      w.constructed(0xa4, (w) => {
        if (validity.notBefore) {
          const time = validity.notBefore;
          w.explicit(0, (w) => writeTime(w, time));
        }
        if (validity.notAfter) {
          const time = validity.notAfter;
          w.explicit(1, (w) => writeTime(w, time));
        }
      });
    }
    if (t.subject) {
      const subject = t.subject;
      w.explicit(5, (w) => writeName(w, subject));
    }
    if (t.publicKey) writeSubjectPublicKeyInfo(w, t.publicKey, 0xa6);
    if (t.issuerUID) w.bitString(t.issuerUID.bytes, t.issuerUID.unusedBits, 0x87);
    if (t.subjectUID) w.bitString(t.subjectUID.bytes, t.subjectUID.unusedBits, 0x88);
    if (t.extensions) writeExtensions(w, t.extensions, 0xa9);
  });
}
