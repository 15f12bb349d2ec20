import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readEncryptedKey, writeEncryptedKey, type EncryptedKey } from '../crmf/encrypted-key.js';
import { DerError, type DerErrorKind } from '../errors/der-error.js';
import { EncodeError } from '../errors/encode-error.js';
import { oids } from '../oids.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';
import { readCAKeyUpdAnnContent, writeCAKeyUpdAnnContent, type CAKeyUpdAnnContent } from './ca-key-upd-content.js';
import { readCertReqTemplateContent, writeCertReqTemplateContent, type CertReqTemplateContent } from './cert-req-template-content.js';
import { readCMPCertificate, readCMPCertificates, writeCMPCertificates, type CMPCertificate } from './cmp-certificate.js';
import { readCRLStatus, writeCRLStatus, type CRLStatus } from './crl-status.js';
import { readKemCiphertextInfo, writeKemCiphertextInfo, type KemCiphertextInfo } from './kem-ciphertext-info.js';
// pki-message.ts imports this module through pki-header.ts and pki-body.ts; the cycle is safe
// because only functions are used, and only when a value is decoded or encoded.
import { readPKIMessage, writePKIMessage, type PKIMessage } from './pki-message.js';
import { readRootCaKeyUpdateContent, writeRootCaKeyUpdateContent, type RootCaKeyUpdateContent } from './root-ca-key-update-content.js';

/**
 * InfoTypeAndValue, RFC 9810 section 5.3.19 and Appendix F, with the value syntax of every
 * infotype the RFC defines:
 *
 * ```asn1
 * InfoTypeAndValue ::= SEQUENCE {
 *     infoType    INFO-TYPE-AND-VALUE.
 *                     &id({SupportedInfoSet}),
 *     infoValue   INFO-TYPE-AND-VALUE.
 *                     &Type({SupportedInfoSet}{@infoType}) }
 *
 *   id-it-caProtEncCert    {id-it 1}   CMPCertificate
 *   id-it-signKeyPairTypes {id-it 2}   SEQUENCE SIZE (1..MAX) OF AlgorithmIdentifier{{...}}
 *   id-it-encKeyPairTypes  {id-it 3}   SEQUENCE SIZE (1..MAX) OF AlgorithmIdentifier{{...}}
 *   id-it-preferredSymmAlg {id-it 4}   AlgorithmIdentifier{{...}}
 *   id-it-caKeyUpdateInfo  {id-it 5}   CAKeyUpdAnnContent        -- deprecated with cmp2021
 *   id-it-currentCRL       {id-it 6}   CertificateList
 *   id-it-unsupportedOIDs  {id-it 7}   SEQUENCE SIZE (1..MAX) OF OBJECT IDENTIFIER
 *   id-it-keyPairParamReq  {id-it 10}  OBJECT IDENTIFIER
 *   id-it-keyPairParamRep  {id-it 11}  AlgorithmIdentifier{{...}}
 *   id-it-revPassphrase    {id-it 12}  EncryptedKey
 *   id-it-implicitConfirm  {id-it 13}  NULL
 *   id-it-confirmWaitTime  {id-it 14}  GeneralizedTime
 *   id-it-origPKIMessage   {id-it 15}  PKIMessages
 *   id-it-suppLangTags     {id-it 16}  SEQUENCE OF UTF8String
 *   id-it-caCerts          {id-it 17}  SEQUENCE SIZE (1..MAX) OF CMPCertificate
 *   id-it-rootCaKeyUpdate  {id-it 18}  RootCaKeyUpdateContent
 *   id-it-certReqTemplate  {id-it 19}  CertReqTemplateContent
 *   id-it-rootCaCert       {id-it 20}  CMPCertificate
 *   id-it-certProfile      {id-it 21}  SEQUENCE SIZE (1..MAX) OF UTF8String
 *   id-it-crlStatusList    {id-it 22}  SEQUENCE SIZE (1..MAX) OF CRLStatus
 *   id-it-crls             {id-it 23}  SEQUENCE SIZE (1..MAX) OF CertificateList
 *   id-it-KemCiphertextInfo {id-it 24} KemCiphertextInfo
 * ```
 *
 * `type` is the short name of the id-it OID ({@link INFO_TYPE_OIDS}). `infoValue` is optional
 * everywhere, as on the wire: a genm usually asks with the value absent, and the genp answers
 * with it (or without it, for "nothing to report"). An infotype cmpkit does not know is
 * `{ type: 'other', infoType, infoValue? }` with the value's DER. A known infotype whose value is
 * one well-formed DER element but does not match its syntax is
 * `{ type: 'invalid', infoType, infoValue, error }`: the value's exact DER and the {@link DerError}
 * its typed decoding gave, so that the message still decodes (losslessly) and its receiver can
 * refuse it for what it is (RFC 9483 section 3.5: badRequest, not an undecodable message). A value
 * that is not one DER element, or that exceeds a decoder limit, is still a decode error.
 *
 * CertificateLists are kept as their DER. `origPKIMessage` values are decoded as
 * `DecodedPKIMessage`s (with their `raw` bytes, so their protection can be checked).
 */
export type InfoTypeAndValue =
  | { type: 'caProtEncCert'; infoValue?: CMPCertificate }
  | { type: 'signKeyPairTypes'; infoValue?: AlgorithmIdentifier[] }
  | { type: 'encKeyPairTypes'; infoValue?: AlgorithmIdentifier[] }
  | { type: 'preferredSymmAlg'; infoValue?: AlgorithmIdentifier }
  | { type: 'caKeyUpdateInfo'; infoValue?: CAKeyUpdAnnContent }
  | { type: 'currentCRL'; infoValue?: DerValue }
  | { type: 'unsupportedOIDs'; infoValue?: string[] }
  | { type: 'keyPairParamReq'; infoValue?: string }
  | { type: 'keyPairParamRep'; infoValue?: AlgorithmIdentifier }
  | { type: 'revPassphrase'; infoValue?: EncryptedKey }
  | { type: 'implicitConfirm'; infoValue?: null }
  | { type: 'confirmWaitTime'; infoValue?: Date }
  | { type: 'origPKIMessage'; infoValue?: PKIMessage[] }
  | { type: 'suppLangTags'; infoValue?: string[] }
  | { type: 'caCerts'; infoValue?: CMPCertificate[] }
  | { type: 'rootCaKeyUpdate'; infoValue?: RootCaKeyUpdateContent }
  | { type: 'certReqTemplate'; infoValue?: CertReqTemplateContent }
  | { type: 'rootCaCert'; infoValue?: CMPCertificate }
  | { type: 'certProfile'; infoValue?: string[] }
  | { type: 'crlStatusList'; infoValue?: CRLStatus[] }
  | { type: 'crls'; infoValue?: DerValue[] }
  | { type: 'kemCiphertextInfo'; infoValue?: KemCiphertextInfo }
  | { type: 'other'; infoType: string; infoValue?: DerValue }
  | { type: 'invalid'; infoType: string; infoValue: DerValue; error: DerError };

/** The name of an infotype cmpkit decodes: the id-it OID's short name. */
export type InfoTypeName = Exclude<InfoTypeAndValue['type'], 'other' | 'invalid'>;

/** The InfoTypeAndValue of infotype `T`, e.g. `InfoTypeAndValueOf<'caCerts'>`. */
export type InfoTypeAndValueOf<T extends InfoTypeAndValue['type']> = Extract<InfoTypeAndValue, { type: T }>;

/** The OID of every infotype cmpkit decodes, by name (RFC 9810 Appendix F, `{id-it n}`). */
export const INFO_TYPE_OIDS: Readonly<Record<InfoTypeName, string>> = Object.freeze({
  caProtEncCert: oids.id_it_caProtEncCert,
  signKeyPairTypes: oids.id_it_signKeyPairTypes,
  encKeyPairTypes: oids.id_it_encKeyPairTypes,
  preferredSymmAlg: oids.id_it_preferredSymmAlg,
  caKeyUpdateInfo: oids.id_it_caKeyUpdateInfo,
  currentCRL: oids.id_it_currentCRL,
  unsupportedOIDs: oids.id_it_unsupportedOIDs,
  keyPairParamReq: oids.id_it_keyPairParamReq,
  keyPairParamRep: oids.id_it_keyPairParamRep,
  revPassphrase: oids.id_it_revPassphrase,
  implicitConfirm: oids.id_it_implicitConfirm,
  confirmWaitTime: oids.id_it_confirmWaitTime,
  origPKIMessage: oids.id_it_origPKIMessage,
  suppLangTags: oids.id_it_suppLangTags,
  caCerts: oids.id_it_caCerts,
  rootCaKeyUpdate: oids.id_it_rootCaKeyUpdate,
  certReqTemplate: oids.id_it_certReqTemplate,
  rootCaCert: oids.id_it_rootCaCert,
  certProfile: oids.id_it_certProfile,
  crlStatusList: oids.id_it_crlStatusList,
  crls: oids.id_it_crls,
  kemCiphertextInfo: oids.id_it_kemCiphertextInfo,
});

/** Infotype names by OID. Built once; read-only. */
const namesByOid: ReadonlyMap<string, InfoTypeName> = new Map(
  (Object.keys(INFO_TYPE_OIDS) as InfoTypeName[]).map((name) => [INFO_TYPE_OIDS[name], name]),
);

/** The infoType OID of `itav`: from {@link INFO_TYPE_OIDS}, or `infoType` for `'other'` and `'invalid'`. */
export function infoTypeOid(itav: InfoTypeAndValue): string {
  return itav.type === 'other' || itav.type === 'invalid' ? itav.infoType : INFO_TYPE_OIDS[itav.type];
}

// ---- value readers -------------------------------------------------------------------------------

/** A CertificateList, kept as its DER (a SEQUENCE). */
function readCertificateList(r: DerReader, field: string): DerValue {
  return { der: r.element(field, Tag.SEQUENCE) };
}

function readAlgorithmIdentifiers(r: DerReader, field: string): AlgorithmIdentifier[] {
  return r.sequenceOf(field, (s, f, i) => readAlgorithmIdentifier(s, f, Tag.SEQUENCE, i), Tag.SEQUENCE, 1);
}

function readUTF8Strings(r: DerReader, field: string, minSize: number): string[] {
  return r.sequenceOf(field, (s, f) => s.utf8String(f), Tag.SEQUENCE, minSize);
}

/** Reads the infoValue of a known infotype; the reader is positioned at the value. */
function readTypedItav(s: DerReader, type: InfoTypeName): InfoTypeAndValue {
  const f = 'infoValue';
  switch (type) {
    case 'caProtEncCert':
    case 'rootCaCert':
      return { type, infoValue: readCMPCertificate(s, f) };
    case 'signKeyPairTypes':
    case 'encKeyPairTypes':
      return { type, infoValue: readAlgorithmIdentifiers(s, f) };
    case 'preferredSymmAlg':
    case 'keyPairParamRep':
      return { type, infoValue: readAlgorithmIdentifier(s, f) };
    case 'caKeyUpdateInfo':
      return { type, infoValue: readCAKeyUpdAnnContent(s, f) };
    case 'currentCRL':
      return { type, infoValue: readCertificateList(s, f) };
    case 'unsupportedOIDs':
      return { type, infoValue: s.sequenceOf(f, (r, g) => r.oid(g), Tag.SEQUENCE, 1) };
    case 'keyPairParamReq':
      return { type, infoValue: s.oid(f) };
    case 'revPassphrase':
      return { type, infoValue: readEncryptedKey(s, f) };
    case 'implicitConfirm':
      return { type, infoValue: s.null(f) };
    case 'confirmWaitTime':
      return { type, infoValue: s.generalizedTime(f) };
    case 'origPKIMessage':
      return { type, infoValue: s.sequenceOf(f, readPKIMessage, Tag.SEQUENCE, 1) };
    case 'suppLangTags':
      return { type, infoValue: readUTF8Strings(s, f, 0) };
    case 'caCerts':
      return { type, infoValue: readCMPCertificates(s, f) };
    case 'rootCaKeyUpdate':
      return { type, infoValue: readRootCaKeyUpdateContent(s, f) };
    case 'certReqTemplate':
      return { type, infoValue: readCertReqTemplateContent(s, f) };
    case 'certProfile':
      return { type, infoValue: readUTF8Strings(s, f, 1) };
    case 'crlStatusList':
      return { type, infoValue: s.sequenceOf(f, readCRLStatus, Tag.SEQUENCE, 1) };
    case 'crls':
      return { type, infoValue: s.sequenceOf(f, readCertificateList, Tag.SEQUENCE, 1) };
    case 'kemCiphertextInfo':
      return { type, infoValue: readKemCiphertextInfo(s, f) };
  }
}

/** Decoder limits: exceeding one is never turned into an `'invalid'` value. */
const LIMIT_KINDS: ReadonlySet<DerErrorKind> = new Set(['depthExceeded', 'sizeExceeded', 'countExceeded']);

/**
 * The value of a known infotype: typed, or, when it is one DER element that does not match the
 * infotype's syntax, `'invalid'` with its exact DER.
 */
function readKnownItav(s: DerReader, infoType: string, type: InfoTypeName): InfoTypeAndValue {
  if (s.atEnd()) return { type };
  const valueStart = s.pos;
  try {
    const typed = readTypedItav(s, type);
    s.finish();
    return typed;
  } catch (error) {
    if (!(error instanceof DerError) || LIMIT_KINDS.has(error.kind)) throw error;
    s.pos = valueStart;
    return { type: 'invalid', infoType, infoValue: { der: s.element('infoValue') }, error };
  }
}

export function readInfoTypeAndValue(r: DerReader, field: string, index: number): InfoTypeAndValue {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const infoType = s.oid('infoType');
  const type = namesByOid.get(infoType);
  let itav: InfoTypeAndValue;
  if (type === undefined) {
    itav = { type: 'other', infoType };
    if (!s.atEnd()) itav.infoValue = { der: s.element('infoValue') };
  } else {
    itav = readKnownItav(s, infoType, type);
  }
  s.finish();
  return itav;
}

// ---- value writers -------------------------------------------------------------------------------

function nonEmpty<T>(items: readonly T[], type: string): readonly T[] {
  if (items.length === 0) throw new EncodeError(`InfoTypeAndValue ${type} needs at least one element`);
  return items;
}

function writeValue(w: DerWriter, itav: InfoTypeAndValue): void {
  switch (itav.type) {
    case 'caProtEncCert':
    case 'rootCaCert':
    case 'currentCRL':
    case 'other':
    case 'invalid':
      if (itav.infoValue) w.raw(itav.infoValue.der);
      return;
    case 'signKeyPairTypes':
    case 'encKeyPairTypes':
      if (itav.infoValue) {
        const algs = nonEmpty(itav.infoValue, itav.type);
        w.sequence((w) => {
          for (const alg of algs) writeAlgorithmIdentifier(w, alg);
        });
      }
      return;
    case 'preferredSymmAlg':
    case 'keyPairParamRep':
      if (itav.infoValue) writeAlgorithmIdentifier(w, itav.infoValue);
      return;
    case 'caKeyUpdateInfo':
      if (itav.infoValue) writeCAKeyUpdAnnContent(w, itav.infoValue);
      return;
    case 'unsupportedOIDs':
      if (itav.infoValue) {
        const list = nonEmpty(itav.infoValue, itav.type);
        w.sequence((w) => {
          for (const oid of list) w.oid(oid);
        });
      }
      return;
    case 'keyPairParamReq':
      if (itav.infoValue !== undefined) w.oid(itav.infoValue);
      return;
    case 'revPassphrase':
      if (itav.infoValue) writeEncryptedKey(w, itav.infoValue);
      return;
    case 'implicitConfirm':
      if (itav.infoValue === null) w.null();
      return;
    case 'confirmWaitTime':
      if (itav.infoValue) w.generalizedTime(itav.infoValue);
      return;
    case 'origPKIMessage':
      if (itav.infoValue) {
        const messages = nonEmpty(itav.infoValue, itav.type);
        w.sequence((w) => {
          for (const m of messages) writePKIMessage(w, m);
        });
      }
      return;
    case 'suppLangTags':
    case 'certProfile':
      if (itav.infoValue) {
        const list = itav.type === 'certProfile' ? nonEmpty(itav.infoValue, itav.type) : itav.infoValue;
        w.sequence((w) => {
          for (const text of list) w.utf8String(text);
        });
      }
      return;
    case 'caCerts':
      if (itav.infoValue) writeCMPCertificates(w, nonEmpty(itav.infoValue, itav.type));
      return;
    case 'rootCaKeyUpdate':
      if (itav.infoValue) writeRootCaKeyUpdateContent(w, itav.infoValue);
      return;
    case 'certReqTemplate':
      if (itav.infoValue) writeCertReqTemplateContent(w, itav.infoValue);
      return;
    case 'crlStatusList':
      if (itav.infoValue) {
        const list = nonEmpty(itav.infoValue, itav.type);
        w.sequence((w) => {
          for (const status of list) writeCRLStatus(w, status);
        });
      }
      return;
    case 'crls':
      if (itav.infoValue) {
        const crls = nonEmpty(itav.infoValue, itav.type);
        w.sequence((w) => {
          for (const crl of crls) w.raw(crl.der);
        });
      }
      return;
    case 'kemCiphertextInfo':
      if (itav.infoValue) writeKemCiphertextInfo(w, itav.infoValue);
      return;
  }
}

export function writeInfoTypeAndValue(w: DerWriter, itav: InfoTypeAndValue): void {
  if (itav.type === 'other') {
    const known = namesByOid.get(itav.infoType);
    if (known !== undefined) {
      throw new EncodeError(`InfoTypeAndValue of ${itav.infoType} must be given as type '${known}', not 'other'`);
    }
  } else if (itav.type === 'invalid') {
    if (!namesByOid.has(itav.infoType)) {
      throw new EncodeError(`InfoTypeAndValue of ${itav.infoType} is not a known infotype: give it as type 'other'`);
    }
  } else if (!Object.hasOwn(INFO_TYPE_OIDS, itav.type)) {
    throw new EncodeError(`unknown InfoTypeAndValue type '${String((itav as { type: unknown }).type)}'`);
  }
  w.sequence((w) => {
    w.oid(infoTypeOid(itav));
    writeValue(w, itav);
  });
}

/** Decodes one DER InfoTypeAndValue. */
export function decodeInfoTypeAndValue(der: Uint8Array, options?: DecodeOptions): InfoTypeAndValue {
  return decodeWith(der, 'InfoTypeAndValue', (r, f) => readInfoTypeAndValue(r, f, -1), options);
}

/** Encodes one InfoTypeAndValue as DER. */
export function encodeInfoTypeAndValue(itav: InfoTypeAndValue): Uint8Array {
  return encodeWith(itav, writeInfoTypeAndValue, 256);
}
