import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readCertRequest, writeCertRequest, type CertRequest } from './cert-request.js';
import { readProofOfPossession, writeProofOfPossession, type ProofOfPossession } from './proof-of-possession.js';
import { readRegInfo, writeRegInfo, type RegInfo } from './reg-info.js';

/**
 * CertReqMsg, RFC 4211 section 3:
 *
 * ```asn1
 * CertReqMsg ::= SEQUENCE {
 *     certReq   CertRequest,
 *     popo       ProofOfPossession  OPTIONAL,
 *     -- content depends upon key type
 *     regInfo   SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue OPTIONAL }
 * ```
 *
 * A decoded value keeps the received DER of `certReq` in `raw.certReq`: proof-of-possession
 * signatures and MACs are verified over those bytes.
 */
export interface CertReqMsg {
  certReq: CertRequest;
  popo?: ProofOfPossession;
  regInfo?: RegInfo[];
  /** Set by the decoder: the received DER of certReq. Encoders ignore it. */
  raw?: { certReq: Uint8Array };
}

/** `CertReqMessages ::= SEQUENCE SIZE (1..MAX) OF CertReqMsg` */
export type CertReqMessages = CertReqMsg[];

function readCertReqMsg(r: DerReader, field: string, index: number): CertReqMsg {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const start = s.pos;
  const certReq = readCertRequest(s, 'certReq');
  const msg: CertReqMsg = { certReq, raw: { certReq: s.data.subarray(start, s.pos) } };
  if (!s.atEnd() && !s.isNext(Tag.SEQUENCE)) msg.popo = readProofOfPossession(s, 'popo');
  if (!s.atEnd()) msg.regInfo = readRegInfo(s, 'regInfo');
  s.finish();
  return msg;
}

export function readCertReqMessages(r: DerReader, field: string): CertReqMessages {
  return r.sequenceOf(field, readCertReqMsg, Tag.SEQUENCE, 1);
}

export function writeCertReqMessages(w: DerWriter, messages: CertReqMessages): void {
  requireItems(messages, 'CertReqMessages');
  w.sequence((w) => {
    for (const msg of messages) {
      w.sequence((w) => {
        writeCertRequest(w, msg.certReq);
        if (msg.popo) writeProofOfPossession(w, msg.popo);
        if (msg.regInfo) writeRegInfo(w, msg.regInfo);
      });
    }
  });
}

/** Decodes a DER CertRequest (for example the `certReq` a proof-of-possession signature covers). */
export function decodeCertRequest(der: Uint8Array, options?: DecodeOptions): CertRequest {
  return decodeWith(der, 'CertRequest', readCertRequest, options);
}

/** Encodes a CertRequest as DER: the input of a POPOSigningKey signature. */
export function encodeCertRequest(request: CertRequest): Uint8Array {
  return encodeWith(request, writeCertRequest, 512);
}
