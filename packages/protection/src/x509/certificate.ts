import {
  decodeAlgorithmIdentifier,
  decodeName,
  decodeTime,
  decodeSubjectPublicKeyInfo,
  KEY_USAGE_NAMES,
  oids,
  type AlgorithmIdentifier,
  type Extension,
  type KeyUsageName,
  type Name,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { equalBytes } from '../internal/bytes.js';
import { childrenOf, contentBytes, elementBytes, readOid, readSingle, readSmallInteger, readTlv, type Tlv } from '../internal/der.js';

export type { KeyUsageName };

const KEY_USAGE_BITS: readonly KeyUsageName[] = KEY_USAGE_NAMES;

/**
 * The fields of an X.509 certificate (RFC 5280 section 4.1) that protection checks need, with
 * the exact bytes of the parts that are signed or compared:
 *
 * ```asn1
 * Certificate  ::=  SEQUENCE  {
 *      tbsCertificate       TBSCertificate,
 *      signatureAlgorithm   AlgorithmIdentifier,
 *      signatureValue       BIT STRING  }
 * ```
 */
export interface ParsedCertificate {
  /** The whole certificate. */
  der: Uint8Array;
  /** The DER of tbsCertificate: what the issuer signed. */
  tbsCertificate: Uint8Array;
  /** 1, 2 or 3. */
  version: number;
  serialNumber: bigint;
  signatureAlgorithm: AlgorithmIdentifier;
  signatureValue: Uint8Array;
  issuer: Name;
  /** The DER of issuer. */
  issuerDer: Uint8Array;
  subject: Name;
  /** The DER of subject. */
  subjectDer: Uint8Array;
  subjectPublicKeyInfo: SubjectPublicKeyInfo;
  /** The DER of subjectPublicKeyInfo (what WebCrypto imports as `spki`). */
  subjectPublicKeyInfoDer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** All extensions, in order. */
  extensions: readonly Extension[];
  basicConstraints?: { cA: boolean; pathLenConstraint?: number };
  keyUsage?: readonly KeyUsageName[];
  extKeyUsage?: readonly string[];
  subjectKeyIdentifier?: Uint8Array;
  authorityKeyIdentifier?: Uint8Array;
}

function bad(detail: string, cause?: unknown): never {
  throw new ProtectionError('badDataFormat', `certificate: ${detail}`, cause);
}

function readExtensions(der: Uint8Array, wrapper: Tlv): Extension[] {
  const seq = readTlv(der, wrapper.contentStart, wrapper.end, 'extensions');
  if (seq.tag !== 0x30 || seq.end !== wrapper.end) bad('malformed extensions');
  const list: Extension[] = [];
  for (const extTlv of childrenOf(der, seq, 'extension')) {
    const parts = childrenOf(der, extTlv, 'extension');
    const extnID = readOid(der, parts[0] ?? bad('empty extension'), 'extnID');
    let i = 1;
    let critical = false;
    if (parts[i]?.tag === 0x01) {
      const c = contentBytes(der, parts[i] as Tlv);
      critical = c.length === 1 && c[0] !== 0;
      i++;
    }
    const value = parts[i];
    if (!value || value.tag !== 0x04 || parts.length !== i + 1) bad(`malformed extension ${extnID}`);
    if (list.some((e) => e.extnID === extnID)) bad(`duplicate extension ${extnID}`);
    list.push(critical ? { extnID, critical: true, extnValue: contentBytes(der, value) } : { extnID, extnValue: contentBytes(der, value) });
  }
  return list;
}

function bigintOf(content: Uint8Array): bigint {
  let v = 0n;
  for (const b of content) v = (v << 8n) | BigInt(b);
  if (content.length && ((content[0] as number) & 0x80) !== 0) v -= 1n << BigInt(content.length * 8);
  return v;
}

/**
 * Parses a DER certificate. Throws a ProtectionError with failInfo badDataFormat when it is not
 * one; callers checking a signer turn that into signerNotTrusted.
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  try {
    const cert = readSingle(der, 'Certificate', 0x30);
    const [tbsTlv, sigAlgTlv, sigTlv, ...rest] = childrenOf(der, cert, 'Certificate');
    if (!tbsTlv || !sigAlgTlv || !sigTlv || rest.length || tbsTlv.tag !== 0x30 || sigTlv.tag !== 0x03) bad('not a Certificate');
    const fields = childrenOf(der, tbsTlv, 'TBSCertificate');
    let i = 0;
    let version = 1;
    if (fields[0]?.tag === 0xa0) {
      const v = readTlv(der, fields[0].contentStart, fields[0].end, 'version');
      const c = contentBytes(der, v);
      if (v.tag !== 0x02 || c.length !== 1) bad('bad version');
      version = (c[0] as number) + 1;
      i = 1;
    }
    const [serial, innerSig, issuer, validity, subject, spki] = fields.slice(i, i + 6);
    if (!serial || !innerSig || !issuer || !validity || !subject || !spki) bad('truncated TBSCertificate');
    const signatureAlgorithmDer = elementBytes(der, sigAlgTlv);
    if (!equalBytes(elementBytes(der, innerSig), signatureAlgorithmDer)) bad('tbsCertificate.signature differs from signatureAlgorithm');
    const sigContent = contentBytes(der, sigTlv);
    if (sigContent[0] !== 0) bad('signature BIT STRING has unused bits');
    const [notBefore, notAfter, ...extraTimes] = childrenOf(der, validity, 'Validity');
    if (validity.tag !== 0x30 || !notBefore || !notAfter || extraTimes.length) bad('bad Validity');
    const subjectPublicKeyInfoDer = elementBytes(der, spki);
    const parsed: ParsedCertificate = {
      der,
      tbsCertificate: elementBytes(der, tbsTlv),
      version,
      serialNumber: bigintOf(contentBytes(der, serial)),
      signatureAlgorithm: decodeAlgorithmIdentifier(signatureAlgorithmDer),
      signatureValue: sigContent.subarray(1),
      issuer: decodeName(elementBytes(der, issuer)),
      issuerDer: elementBytes(der, issuer),
      subject: decodeName(elementBytes(der, subject)),
      subjectDer: elementBytes(der, subject),
      subjectPublicKeyInfo: decodeSubjectPublicKeyInfo(subjectPublicKeyInfoDer),
      subjectPublicKeyInfoDer,
      notBefore: decodeTime(elementBytes(der, notBefore)).value,
      notAfter: decodeTime(elementBytes(der, notAfter)).value,
      extensions: [],
    };
    const extWrapper = fields.slice(i + 6).find((f) => f.tag === 0xa3);
    if (extWrapper) {
      const extensions = readExtensions(der, extWrapper);
      parsed.extensions = extensions;
      for (const ext of extensions) {
        switch (ext.extnID) {
          case oids.id_ce_basicConstraints:
            parsed.basicConstraints = readBasicConstraints(ext.extnValue);
            break;
          case oids.id_ce_keyUsage:
            parsed.keyUsage = readKeyUsage(ext.extnValue);
            break;
          case oids.id_ce_extKeyUsage: {
            const seq = readSingle(ext.extnValue, 'extKeyUsage', 0x30);
            parsed.extKeyUsage = childrenOf(ext.extnValue, seq, 'extKeyUsage').map((tlv) => readOid(ext.extnValue, tlv, 'KeyPurposeId'));
            break;
          }
          case oids.id_ce_subjectKeyIdentifier: {
            const tlv = readSingle(ext.extnValue, 'subjectKeyIdentifier', 0x04);
            parsed.subjectKeyIdentifier = contentBytes(ext.extnValue, tlv);
            break;
          }
          case oids.id_ce_authorityKeyIdentifier: {
            const seq = readSingle(ext.extnValue, 'authorityKeyIdentifier', 0x30);
            const keyIdentifier = childrenOf(ext.extnValue, seq, 'authorityKeyIdentifier').find((tlv) => tlv.tag === 0x80);
            if (keyIdentifier) parsed.authorityKeyIdentifier = contentBytes(ext.extnValue, keyIdentifier).slice();
            break;
          }
        }
      }
    }
    return parsed;
  } catch (e) {
    if (e instanceof ProtectionError) throw e;
    return bad(e instanceof Error ? e.message : 'malformed', e);
  }
}

/** BasicConstraints (RFC 5280 section 4.2.1.9): `SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }`. */
function readBasicConstraints(der: Uint8Array): { cA: boolean; pathLenConstraint?: number } {
  const fields = childrenOf(der, readSingle(der, 'basicConstraints', 0x30), 'basicConstraints');
  let cA = false;
  let next = fields[0];
  if (next?.tag === 0x01) {
    const value = contentBytes(der, next);
    if (value.length !== 1) bad('bad cA BOOLEAN');
    cA = value[0] !== 0;
    next = fields[1];
  }
  if (next === undefined) return { cA };
  if (next !== fields[fields.length - 1]) bad('trailing fields in basicConstraints');
  return { cA, pathLenConstraint: readSmallInteger(der, next, 'pathLenConstraint') };
}

/** KeyUsage (RFC 5280 section 4.2.1.3): a named BIT STRING, bit 0 (digitalSignature) first. */
function readKeyUsage(der: Uint8Array): KeyUsageName[] {
  const bits = contentBytes(der, readSingle(der, 'keyUsage', 0x03));
  const unused = bits[0];
  if (unused === undefined || unused > 7 || (bits.length === 1 && unused !== 0)) bad('bad keyUsage BIT STRING');
  const count = (bits.length - 1) * 8 - unused;
  return KEY_USAGE_BITS.filter((_, bit) => bit < count && (((bits[1 + (bit >> 3)] as number) >> (7 - (bit & 7))) & 1) === 1);
}

/**
 * The SubjectKeyIdentifier of a DER certificate, or undefined when it has none; reads only the
 * certificate's layout (cheap enough to call per protected message).
 */
export function subjectKeyIdentifierOf(der: Uint8Array): Uint8Array | undefined {
  try {
    const cert = readSingle(der, 'Certificate', 0x30);
    const tbs = childrenOf(der, cert, 'Certificate')[0];
    if (!tbs) bad('not a Certificate');
    const wrapper = childrenOf(der, tbs, 'TBSCertificate').find((f) => f.tag === 0xa3);
    if (!wrapper) return undefined;
    const seq = readTlv(der, wrapper.contentStart, wrapper.end, 'extensions');
    for (const ext of childrenOf(der, seq, 'extension')) {
      const [id, ...rest] = childrenOf(der, ext, 'extension');
      const value = rest[rest.length - 1];
      // extnID 2.5.29.14 is 06 03 55 1d 0e
      if (
        id &&
        value &&
        id.end - id.start === 5 &&
        der[id.start] === 0x06 &&
        der[id.start + 1] === 3 &&
        der[id.start + 2] === 0x55 &&
        der[id.start + 3] === 0x1d &&
        der[id.start + 4] === 0x0e
      ) {
        const octets = contentBytes(der, value);
        return contentBytes(octets, readSingle(octets, 'subjectKeyIdentifier', 0x04));
      }
    }
    return undefined;
  } catch (e) {
    if (e instanceof ProtectionError) throw e;
    return bad(e instanceof Error ? e.message : 'malformed', e);
  }
}
