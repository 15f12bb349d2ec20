import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readCertTemplate, writeCertTemplate, type CertTemplate } from './cert-template.js';
import { readControls, writeControls, type Controls } from './controls.js';

/**
 * CertRequest, RFC 4211 section 5:
 *
 * ```asn1
 * CertRequest ::= SEQUENCE {
 *     certReqId     INTEGER,        -- ID for matching request and reply
 *     certTemplate  CertTemplate,   -- Selected fields of cert to be issued
 *     controls      Controls OPTIONAL }   -- Attributes affecting issuance
 * ```
 */
export interface CertRequest {
  certReqId: number;
  certTemplate: CertTemplate;
  controls?: Controls;
}

export function readCertRequest(r: DerReader, field: string): CertRequest {
  const s = r.sequence(field);
  const certReqId = s.integer('certReqId');
  const certTemplate = readCertTemplate(s, 'certTemplate');
  const request: CertRequest = { certReqId, certTemplate };
  if (!s.atEnd()) request.controls = readControls(s, 'controls');
  s.finish();
  return request;
}

export function writeCertRequest(w: DerWriter, request: CertRequest): void {
  w.sequence((w) => {
    w.integer(request.certReqId);
    writeCertTemplate(w, request.certTemplate);
    if (request.controls) writeControls(w, request.controls);
  });
}
