import type { DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readCertReqMessages, writeCertReqMessages, type CertReqMessages } from '../crmf/cert-req-messages.js';
import { readCAKeyUpdContent, writeCAKeyUpdContent, type CAKeyUpdContent } from './ca-key-upd-content.js';
import { readCertConfirmContent, writeCertConfirmContent, type CertConfirmContent } from './cert-confirm-content.js';
import { readCertRepMessage, writeCertRepMessage, type CertRepMessage } from './cert-rep-message.js';
import { readCMPCertificate, writeCMPCertificate, type CMPCertificate } from './cmp-certificate.js';
import { readErrorMsgContent, writeErrorMsgContent, type ErrorMsgContent } from './error-msg-content.js';
import { readInfoTypeAndValue, writeInfoTypeAndValue, type InfoTypeAndValue } from './info-type-and-value.js';
import { readKeyRecRepContent, writeKeyRecRepContent, type KeyRecRepContent } from './key-rec-rep-content.js';
import { readPKIMessage, writePKIMessage, type DecodedPKIMessage, type PKIMessage } from './pki-message.js';
import { readPollRepContent, writePollRepContent, type PollRepContent } from './poll-rep-content.js';
import { readPollReqContent, writePollReqContent, type PollReqContent } from './poll-req-content.js';
import { readPOPODecKeyChallContent, writePOPODecKeyChallContent, type POPODecKeyChallContent } from './popo-dec-key-chall-content.js';
import { readPOPODecKeyRespContent, writePOPODecKeyRespContent, type POPODecKeyRespContent } from './popo-dec-key-resp-content.js';
import { readRevAnnContent, writeRevAnnContent, type RevAnnContent } from './rev-ann-content.js';
import { readRevRepContent, writeRevRepContent, type RevRepContent } from './rev-rep-content.js';
import { readRevReqContent, writeRevReqContent, type RevReqContent } from './rev-req-content.js';

/**
 * CertificationRequest (PKCS #10, RFC 2986), kept as its exact DER so that its signature can be
 * verified over the received bytes.
 */
export type CertificationRequest = DerValue;

/** `CRLAnnContent ::= SEQUENCE OF CertificateList`; each CRL is kept as its DER. */
export type CRLAnnContent = DerValue[];

/** `GenMsgContent ::= SEQUENCE OF InfoTypeAndValue` */
export type GenMsgContent = InfoTypeAndValue[];

/** `GenRepContent ::= SEQUENCE OF InfoTypeAndValue` */
export type GenRepContent = InfoTypeAndValue[];

/** `CertAnnContent ::= CMPCertificate` */
export type CertAnnContent = CMPCertificate;

/** `PKIConfirmContent ::= NULL` */
export type PKIConfirmContent = null;

/** `NestedMessageContent ::= PKIMessages` (`SEQUENCE SIZE (1..MAX) OF PKIMessage`) */
export type NestedMessageContent = PKIMessage[];

/**
 * PKIBody, RFC 9810 section 5.1.2 (EXPLICIT tags):
 *
 * ```asn1
 * PKIBody ::= CHOICE {       -- message-specific body elements
 *     ir       [0]  CertReqMessages,        --Initialization Request
 *     ip       [1]  CertRepMessage,         --Initialization Response
 *     cr       [2]  CertReqMessages,        --Certification Request
 *     cp       [3]  CertRepMessage,         --Certification Response
 *     p10cr    [4]  CertificationRequest,   --imported from [RFC2986]
 *     popdecc  [5]  POPODecKeyChallContent, --pop Challenge
 *     popdecr  [6]  POPODecKeyRespContent,  --pop Response
 *     kur      [7]  CertReqMessages,        --Key Update Request
 *     kup      [8]  CertRepMessage,         --Key Update Response
 *     krr      [9]  CertReqMessages,        --Key Recovery Request
 *     krp      [10] KeyRecRepContent,       --Key Recovery Response
 *     rr       [11] RevReqContent,          --Revocation Request
 *     rp       [12] RevRepContent,          --Revocation Response
 *     ccr      [13] CertReqMessages,        --Cross-Cert. Request
 *     ccp      [14] CertRepMessage,         --Cross-Cert. Response
 *     ckuann   [15] CAKeyUpdContent,        --CA Key Update Ann.
 *     cann     [16] CertAnnContent,         --Certificate Ann.
 *     rann     [17] RevAnnContent,          --Revocation Ann.
 *     crlann   [18] CRLAnnContent,          --CRL Announcement
 *     pkiconf  [19] PKIConfirmContent,      --Confirmation
 *     nested   [20] NestedMessageContent,   --Nested Message
 *     genm     [21] GenMsgContent,          --General Message
 *     genp     [22] GenRepContent,          --General Response
 *     error    [23] ErrorMsgContent,        --Error Message
 *     certConf [24] CertConfirmContent,     --Certificate Confirm
 *     pollReq  [25] PollReqContent,         --Polling Request
 *     pollRep  [26] PollRepContent          --Polling Response
 * }
 * ```
 *
 * A decoded `nested` body holds {@link DecodedPKIMessage}s, each with its own raw bytes.
 */
export type PKIBody =
  | { type: 'ir'; content: CertReqMessages }
  | { type: 'ip'; content: CertRepMessage }
  | { type: 'cr'; content: CertReqMessages }
  | { type: 'cp'; content: CertRepMessage }
  | { type: 'p10cr'; content: CertificationRequest }
  | { type: 'popdecc'; content: POPODecKeyChallContent }
  | { type: 'popdecr'; content: POPODecKeyRespContent }
  | { type: 'kur'; content: CertReqMessages }
  | { type: 'kup'; content: CertRepMessage }
  | { type: 'krr'; content: CertReqMessages }
  | { type: 'krp'; content: KeyRecRepContent }
  | { type: 'rr'; content: RevReqContent }
  | { type: 'rp'; content: RevRepContent }
  | { type: 'ccr'; content: CertReqMessages }
  | { type: 'ccp'; content: CertRepMessage }
  | { type: 'ckuann'; content: CAKeyUpdContent }
  | { type: 'cann'; content: CertAnnContent }
  | { type: 'rann'; content: RevAnnContent }
  | { type: 'crlann'; content: CRLAnnContent }
  | { type: 'pkiconf'; content: PKIConfirmContent }
  | { type: 'nested'; content: NestedMessageContent }
  | { type: 'genm'; content: GenMsgContent }
  | { type: 'genp'; content: GenRepContent }
  | { type: 'error'; content: ErrorMsgContent }
  | { type: 'certConf'; content: CertConfirmContent }
  | { type: 'pollReq'; content: PollReqContent }
  | { type: 'pollRep'; content: PollRepContent };

/** The name of each PKIBody alternative; the array index is its context tag number. */
export const PKI_BODY_TYPES = [
  'ir',
  'ip',
  'cr',
  'cp',
  'p10cr',
  'popdecc',
  'popdecr',
  'kur',
  'kup',
  'krr',
  'krp',
  'rr',
  'rp',
  'ccr',
  'ccp',
  'ckuann',
  'cann',
  'rann',
  'crlann',
  'pkiconf',
  'nested',
  'genm',
  'genp',
  'error',
  'certConf',
  'pollReq',
  'pollRep',
] as const satisfies readonly PKIBody['type'][];

/** The name of a PKIBody alternative. */
export type PKIBodyType = PKIBody['type'];

const BODY_TAG: { readonly [K in PKIBodyType]: number } = Object.freeze(
  Object.fromEntries(PKI_BODY_TYPES.map((name, n) => [name, n])) as { [K in PKIBodyType]: number },
);

/** The context tag number of a PKIBody alternative (`ir` is 0, `pollRep` is 26). */
export function pkiBodyTag(type: PKIBodyType): number {
  return BODY_TAG[type];
}

function readCRLAnnContent(r: DerReader, field: string): CRLAnnContent {
  return r.sequenceOf(field, (s, f) => ({ der: s.element(f, Tag.SEQUENCE) }));
}

function readGenContent(r: DerReader, field: string): InfoTypeAndValue[] {
  return r.sequenceOf(field, readInfoTypeAndValue);
}

function readNested(r: DerReader, field: string): DecodedPKIMessage[] {
  return r.sequenceOf(field, readPKIMessage, Tag.SEQUENCE, 1);
}

export function readPKIBody(r: DerReader, field: string): PKIBody {
  const tag = r.peekTag();
  const n = tag & 0x1f;
  if (tag < 0) r.fail('truncated', r.pos, 'missing PKIBody', field);
  if ((tag & 0x1f) === 0x1f) r.fail('highTagNumber', r.pos, 'high tag number form', field);
  if ((tag & 0xe0) !== 0xa0 || n >= PKI_BODY_TYPES.length) {
    r.fail('unexpectedTag', r.pos, `PKIBody alternative [${tag & 0x1f}] is not defined`, field);
  }
  const type = PKI_BODY_TYPES[n] as PKIBodyType;
  const e = r.explicit(n, field);
  let body: PKIBody;
  switch (type) {
    case 'ir':
    case 'cr':
    case 'kur':
    case 'krr':
    case 'ccr':
      body = { type, content: readCertReqMessages(e, type) };
      break;
    case 'ip':
    case 'cp':
    case 'kup':
    case 'ccp':
      body = { type, content: readCertRepMessage(e, type) };
      break;
    case 'p10cr':
      body = { type, content: { der: e.element(type, Tag.SEQUENCE) } };
      break;
    case 'popdecc':
      body = { type, content: readPOPODecKeyChallContent(e, type) };
      break;
    case 'popdecr':
      body = { type, content: readPOPODecKeyRespContent(e, type) };
      break;
    case 'krp':
      body = { type, content: readKeyRecRepContent(e, type) };
      break;
    case 'rr':
      body = { type, content: readRevReqContent(e, type) };
      break;
    case 'rp':
      body = { type, content: readRevRepContent(e, type) };
      break;
    case 'ckuann':
      body = { type, content: readCAKeyUpdContent(e, type) };
      break;
    case 'cann':
      body = { type, content: readCMPCertificate(e, type) };
      break;
    case 'rann':
      body = { type, content: readRevAnnContent(e, type) };
      break;
    case 'crlann':
      body = { type, content: readCRLAnnContent(e, type) };
      break;
    case 'pkiconf':
      body = { type, content: e.null(type) };
      break;
    case 'nested':
      body = { type, content: readNested(e, type) };
      break;
    case 'genm':
    case 'genp':
      body = { type, content: readGenContent(e, type) };
      break;
    case 'error':
      body = { type, content: readErrorMsgContent(e, type) };
      break;
    case 'certConf':
      body = { type, content: readCertConfirmContent(e, type) };
      break;
    case 'pollReq':
      body = { type, content: readPollReqContent(e, type) };
      break;
    case 'pollRep':
      body = { type, content: readPollRepContent(e, type) };
      break;
  }
  e.finish();
  return body;
}

export function writePKIBody(w: DerWriter, body: PKIBody): void {
  w.explicit(BODY_TAG[body.type], (w) => {
    switch (body.type) {
      case 'ir':
      case 'cr':
      case 'kur':
      case 'krr':
      case 'ccr':
        writeCertReqMessages(w, body.content);
        return;
      case 'ip':
      case 'cp':
      case 'kup':
      case 'ccp':
        writeCertRepMessage(w, body.content);
        return;
      case 'p10cr':
        w.raw(body.content.der);
        return;
      case 'popdecc':
        writePOPODecKeyChallContent(w, body.content);
        return;
      case 'popdecr':
        writePOPODecKeyRespContent(w, body.content);
        return;
      case 'krp':
        writeKeyRecRepContent(w, body.content);
        return;
      case 'rr':
        writeRevReqContent(w, body.content);
        return;
      case 'rp':
        writeRevRepContent(w, body.content);
        return;
      case 'ckuann':
        writeCAKeyUpdContent(w, body.content);
        return;
      case 'cann':
        writeCMPCertificate(w, body.content);
        return;
      case 'rann':
        writeRevAnnContent(w, body.content);
        return;
      case 'crlann': {
        const crls = body.content;
        w.sequence((w) => {
          for (const crl of crls) w.raw(crl.der);
        });
        return;
      }
      case 'pkiconf':
        w.null();
        return;
      case 'nested': {
        const messages = body.content;
        requireItems(messages, 'NestedMessageContent');
        w.sequence((w) => {
          for (const m of messages) writePKIMessage(w, m);
        });
        return;
      }
      case 'genm':
      case 'genp': {
        const items = body.content;
        w.sequence((w) => {
          for (const itav of items) writeInfoTypeAndValue(w, itav);
        });
        return;
      }
      case 'error':
        writeErrorMsgContent(w, body.content);
        return;
      case 'certConf':
        writeCertConfirmContent(w, body.content);
        return;
      case 'pollReq':
        writePollReqContent(w, body.content);
        return;
      case 'pollRep':
        writePollRepContent(w, body.content);
        return;
    }
  });
}
