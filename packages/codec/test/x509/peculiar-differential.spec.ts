import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier as PAlgorithmIdentifier,
  Certificate as PCertificate,
  CertificateList as PCertificateList,
  Extensions as PExtensions,
  Name as PName,
  SubjectPublicKeyInfo as PSubjectPublicKeyInfo,
  type Time as PTime,
} from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import {
  attributeValueText,
  decodeAlgorithmIdentifier,
  decodeName,
  decodePKIMessage,
  decodeSubjectPublicKeyInfo,
  encodeAlgorithmIdentifier,
  encodeName,
  encodeSubjectPublicKeyInfo,
  type AlgorithmIdentifier,
  type Extension,
  type Name,
  type SubjectPublicKeyInfo,
  type Time,
} from '../../src/index.js';
import { decodeWith, encodeWith } from '../../src/der/codec.js';
import { readExtensions, writeExtensions } from '../../src/x509/extensions.js';
import { readTime } from '../../src/x509/time.js';
import { allVectors, toHex } from '../fixtures.js';
import { childrenOf, slice, tlvAt, type Tlv } from '../helpers/tlv.js';

/**
 * Differential test against @peculiar/asn1-x509: every certificate, CRL, Name,
 * AlgorithmIdentifier, SubjectPublicKeyInfo and Extensions found in the vectors is decoded by
 * cmpkit and by @peculiar, and the fields must agree.
 */

const ab = (b: Uint8Array): string => toHex(b);
const abHex = (b: ArrayBuffer): string => Buffer.from(b).toString('hex');

function compareAlgorithm(ours: AlgorithmIdentifier, theirs: PAlgorithmIdentifier): void {
  expect(ours.algorithm).toBe(theirs.algorithm);
  const p = ours.parameters?.der;
  if (p === undefined) expect(theirs.parameters).toBeUndefined();
  else if (p.length === 2 && p[0] === 5 && p[1] === 0) expect(theirs.parameters).toBeNull();
  else expect(abHex(theirs.parameters as ArrayBuffer)).toBe(ab(p));
}

function compareName(ours: Name, theirs: PName): void {
  expect(theirs.length).toBe(ours.length);
  ours.forEach((rdn, i) => {
    const theirRdn = theirs[i]!;
    expect(theirRdn.length).toBe(rdn.length);
    rdn.forEach((atv, j) => {
      const theirAtv = theirRdn[j]!;
      expect(theirAtv.type).toBe(atv.type);
      expect(abHex(AsnConvert.serialize(theirAtv.value))).toBe(ab(atv.value.der));
      const text = attributeValueText(atv.value.der);
      if (text !== null) expect(theirAtv.value.toString()).toBe(text);
    });
  });
}

function compareSpki(ours: SubjectPublicKeyInfo, theirs: PSubjectPublicKeyInfo): void {
  compareAlgorithm(ours.algorithm, theirs.algorithm);
  expect(abHex(theirs.subjectPublicKey)).toBe(ab(ours.subjectPublicKey));
}

function compareExtensions(ours: Extension[], theirs: PExtensions): void {
  expect(theirs.map((e) => [e.extnID, e.critical, abHex(e.extnValue.buffer)])).toEqual(
    ours.map((e) => [e.extnID, e.critical === true, ab(e.extnValue)]),
  );
}

function compareTime(ours: Time, theirs: PTime): void {
  const theirDate = ours.type === 'utcTime' ? theirs.utcTime : theirs.generalTime;
  expect(theirDate?.getTime()).toBe(ours.value.getTime());
}

const encodeExtensions = (e: Extension[]): Uint8Array => encodeWith(e, (w, v) => writeExtensions(w, v));
const decodeExtensions = (der: Uint8Array): Extension[] => decodeWith(der, 'Extensions', (r, f) => readExtensions(r, f));
const decodeTime = (der: Uint8Array): Time => decodeWith(der, 'Time', readTime);

function bigIntOf(bytes: Uint8Array): bigint {
  let v = BigInt(`0x${toHex(bytes) || '00'}`);
  if (bytes.length && bytes[0]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

// ---- collect what the vectors contain -------------------------------------------------------

const found = {
  certificates: new Map<string, Uint8Array>(),
  crls: new Map<string, Uint8Array>(),
  csrs: new Map<string, Uint8Array>(),
  names: new Map<string, Name>(),
  algorithms: new Map<string, AlgorithmIdentifier>(),
  spkis: new Map<string, SubjectPublicKeyInfo>(),
  extensions: new Map<string, Extension[]>(),
};

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

function isName(x: unknown): x is Name {
  return (
    Array.isArray(x) &&
    x.every(
      (rdn) =>
        Array.isArray(rdn) &&
        rdn.length > 0 &&
        rdn.every((atv) => isObject(atv) && typeof atv.type === 'string' && isObject(atv.value) && atv.value.der instanceof Uint8Array),
    )
  );
}

/**
 * A signed structure by shape, SEQUENCE { SEQUENCE, AlgId, BIT STRING }: a certificate (tbs
 * starts with [0] version), a CRL (tbs: [version,] AlgorithmIdentifier, Name, ...) or a PKCS #10
 * request (tbs: version, Name, SubjectPublicKeyInfo, [0] attributes).
 */
function signedKind(der: Uint8Array): 'certificate' | 'crl' | 'csr' | undefined {
  try {
    const top = tlvAt(der, 0);
    if (top.tag !== 0x30 || top.end !== der.length) return undefined;
    const parts = childrenOf(der, top);
    if (parts.length !== 3 || parts[0]!.tag !== 0x30 || parts[1]!.tag !== 0x30 || parts[2]!.tag !== 0x03) return undefined;
    const tbs = childrenOf(der, parts[0]!);
    if (tbs[0]?.tag === 0xa0) return 'certificate';
    const afterVersion = tbs[0]?.tag === 0x02 ? tbs[1] : tbs[0];
    const inner = afterVersion && afterVersion.tag === 0x30 ? childrenOf(der, afterVersion)[0] : undefined;
    if (inner?.tag === 0x06) return 'crl';
    if (tbs[0]?.tag === 0x02 && (inner === undefined || inner.tag === 0x31) && tbs[3]?.tag === 0xa0) return 'csr';
  } catch {
    return undefined;
  }
  return undefined;
}

function collect(x: unknown, key: string): void {
  if (x instanceof Uint8Array || x instanceof Date || typeof x !== 'object' || x === null) return;
  if (Array.isArray(x)) {
    if ((key === 'subject' || key === 'issuer' || key === 'value') && isName(x)) {
      if (x.length > 0) found.names.set(toHex(encodeName(x)), x);
    } else if (x.length > 0 && x.every((e) => isObject(e) && typeof e.extnID === 'string' && e.extnValue instanceof Uint8Array)) {
      found.extensions.set(toHex(encodeExtensions(x as Extension[])), x as Extension[]);
    }
    x.forEach((item) => collect(item, key));
    return;
  }
  const o = x as Record<string, unknown>;
  if (key === 'raw') return;
  if (typeof o.algorithm === 'string' && Object.keys(o).every((k) => k === 'algorithm' || k === 'parameters')) {
    const alg = o as unknown as AlgorithmIdentifier;
    found.algorithms.set(toHex(encodeAlgorithmIdentifier(alg)), alg);
  }
  if (isObject(o.algorithm) && o.subjectPublicKey instanceof Uint8Array) {
    const spki = o as unknown as SubjectPublicKeyInfo;
    found.spkis.set(toHex(encodeSubjectPublicKeyInfo(spki)), spki);
  }
  if (o.der instanceof Uint8Array) {
    const kind = signedKind(o.der);
    if (kind === 'certificate') found.certificates.set(toHex(o.der), o.der);
    if (kind === 'crl') found.crls.set(toHex(o.der), o.der);
    if (kind === 'csr') found.csrs.set(toHex(o.der), o.der);
  }
  if (o.type === 'directoryName' && isName(o.value)) found.names.set(toHex(encodeName(o.value)), o.value);
  for (const [k, v] of Object.entries(o)) collect(v, k);
}

for (const [, der] of allVectors()) collect(decodePKIMessage(der), '');

// Names, algorithms, keys and extensions inside the certificates and CRLs join the comparison
function tbsParts(der: Uint8Array): Tlv[] {
  return childrenOf(der, childrenOf(der, tlvAt(der, 0))[0]!);
}

describe('cmpkit and @peculiar/asn1-x509 agree on what the vectors contain', () => {
  it('found a useful amount of each kind', () => {
    expect(found.certificates.size).toBeGreaterThanOrEqual(3);
    expect(found.crls.size).toBeGreaterThanOrEqual(1);
    expect(found.csrs.size).toBeGreaterThanOrEqual(1);
    expect(found.names.size).toBeGreaterThanOrEqual(4);
    expect(found.algorithms.size).toBeGreaterThanOrEqual(10);
    expect(found.spkis.size).toBeGreaterThanOrEqual(2);
    expect(found.extensions.size).toBeGreaterThanOrEqual(4);
  });

  it.each([...found.certificates.entries()].map(([h, der]) => [h.slice(0, 24), der] as const))(
    'certificate %s…: issuer, subject, validity, serial, key, algorithms, extensions',
    (_h, der) => {
      const theirs = AsnConvert.parse(der, PCertificate);
      const tbs = theirs.tbsCertificate;
      const parts = tbsParts(der);
      const [, serial, sigAlg, issuer, validity, subject, spki] = parts;
      const serialContents = der.subarray(serial!.contentStart, serial!.end);
      expect(bigIntOf(serialContents)).toBe(bigIntOf(new Uint8Array(tbs.serialNumber)));
      compareAlgorithm(decodeAlgorithmIdentifier(slice(der, sigAlg!)), tbs.signature);
      compareName(decodeName(slice(der, issuer!)), tbs.issuer);
      compareName(decodeName(slice(der, subject!)), tbs.subject);
      const [notBefore, notAfter] = childrenOf(der, validity!);
      compareTime(decodeTime(slice(der, notBefore!)), tbs.validity.notBefore);
      compareTime(decodeTime(slice(der, notAfter!)), tbs.validity.notAfter);
      compareSpki(decodeSubjectPublicKeyInfo(slice(der, spki!)), tbs.subjectPublicKeyInfo);
      const extensions = parts.find((p) => p.tag === 0xa3);
      if (extensions) {
        compareExtensions(decodeExtensions(slice(der, childrenOf(der, extensions)[0]!)), tbs.extensions!);
      } else {
        expect(tbs.extensions).toBeUndefined();
      }
      const outer = childrenOf(der, tlvAt(der, 0));
      compareAlgorithm(decodeAlgorithmIdentifier(slice(der, outer[1]!)), theirs.signatureAlgorithm);
    },
  );

  it.each([...found.crls.entries()].map(([h, der]) => [h.slice(0, 24), der] as const))(
    'CRL %s…: issuer, signature algorithm, CRL extensions, revoked serials',
    (_h, der) => {
      const theirs = AsnConvert.parse(der, PCertificateList);
      const parts = tbsParts(der);
      const offset = parts[0]!.tag === 0x02 ? 1 : 0;
      compareAlgorithm(decodeAlgorithmIdentifier(slice(der, parts[offset]!)), theirs.tbsCertList.signature);
      compareName(decodeName(slice(der, parts[offset + 1]!)), theirs.tbsCertList.issuer);
      const crlExtensions = parts.find((p) => p.tag === 0xa0);
      if (crlExtensions) {
        compareExtensions(decodeExtensions(slice(der, childrenOf(der, crlExtensions)[0]!)), theirs.tbsCertList.crlExtensions!);
      }
      const revoked = parts.find((p, i) => i > offset + 2 && p.tag === 0x30 && childrenOf(der, p)[0]?.tag === 0x30);
      const ourSerials = revoked
        ? childrenOf(der, revoked).map((entry) => {
            const s = childrenOf(der, entry)[0]!;
            return bigIntOf(der.subarray(s.contentStart, s.end));
          })
        : [];
      expect((theirs.tbsCertList.revokedCertificates ?? []).map((r) => bigIntOf(new Uint8Array(r.userCertificate)))).toEqual(ourSerials);
    },
  );

  it.each([...found.csrs.entries()].map(([h, der]) => [h.slice(0, 24), der] as const))(
    'PKCS #10 request %s…: subject, key, signature algorithm',
    (_h, der) => {
      const [, subject, spki] = tbsParts(der);
      compareName(decodeName(slice(der, subject!)), AsnConvert.parse(slice(der, subject!), PName));
      compareSpki(decodeSubjectPublicKeyInfo(slice(der, spki!)), AsnConvert.parse(slice(der, spki!), PSubjectPublicKeyInfo));
      const sigAlg = slice(der, childrenOf(der, tlvAt(der, 0))[1]!);
      compareAlgorithm(decodeAlgorithmIdentifier(sigAlg), AsnConvert.parse(sigAlg, PAlgorithmIdentifier));
    },
  );

  it.each([...found.names.entries()].map(([h, name]) => [h.slice(0, 32), name] as const))('Name %s…', (_h, name) => {
    compareName(name, AsnConvert.parse(encodeName(name), PName));
  });

  it.each([...found.algorithms.entries()].map(([h, alg]) => [h.slice(0, 32), alg] as const))('AlgorithmIdentifier %s…', (_h, alg) => {
    compareAlgorithm(alg, AsnConvert.parse(encodeAlgorithmIdentifier(alg), PAlgorithmIdentifier));
  });

  it.each([...found.spkis.entries()].map(([h, spki]) => [h.slice(0, 32), spki] as const))('SubjectPublicKeyInfo %s…', (_h, spki) => {
    compareSpki(spki, AsnConvert.parse(encodeSubjectPublicKeyInfo(spki), PSubjectPublicKeyInfo));
  });

  it.each([...found.extensions.entries()].map(([h, ext]) => [h.slice(0, 32), ext] as const))('Extensions %s…', (_h, ext) => {
    compareExtensions(ext, AsnConvert.parse(encodeExtensions(ext), PExtensions));
  });
});
