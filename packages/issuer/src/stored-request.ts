import {
  decodeBase64,
  decodeCertReqTemplateContent,
  decodeSubjectPublicKeyInfo,
  encodeBase64,
  encodeCertReqTemplateContent,
  encodeSubjectPublicKeyInfo,
  type CertTemplate,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import type { CertificationRequest } from '@cmpkit/core';

/** What the issuer needs to issue a pending request later, after a restart too. */
export interface StoredRequest {
  bodyType: string;
  certReqId: number;
  template: CertTemplate;
  publicKey?: SubjectPublicKeyInfo;
  centralKeyGeneration: boolean;
  profile: string;
  transactionId: string;
  requester: string;
}

interface Json {
  bodyType: string;
  certReqId: number;
  /** DER of a CertReqTemplateContent holding the template: the codec's exact encoding. */
  template: string;
  publicKey?: string;
  centralKeyGeneration: boolean;
  profile: string;
  transactionId: string;
  requester: string;
}

/** The part of a request a pending row keeps, as JSON (template and key as base64 DER). */
export function serializeRequest(request: CertificationRequest, profile: string, requester: string): string {
  const json: Json = {
    bodyType: request.bodyType,
    certReqId: request.certReqId,
    template: encodeBase64(encodeCertReqTemplateContent({ certTemplate: request.template })),
    ...(request.publicKey ? { publicKey: encodeBase64(encodeSubjectPublicKeyInfo(request.publicKey)) } : {}),
    centralKeyGeneration: request.centralKeyGeneration,
    profile,
    transactionId: request.transactionId,
    requester,
  };
  return JSON.stringify(json);
}

/** Reads what {@link serializeRequest} wrote. */
export function deserializeRequest(text: string): StoredRequest {
  const json = JSON.parse(text) as Json;
  return {
    bodyType: json.bodyType,
    certReqId: json.certReqId,
    template: decodeCertReqTemplateContent(decodeBase64(json.template)).certTemplate,
    ...(json.publicKey ? { publicKey: decodeSubjectPublicKeyInfo(decodeBase64(json.publicKey)) } : {}),
    centralKeyGeneration: json.centralKeyGeneration,
    profile: json.profile,
    transactionId: json.transactionId,
    requester: json.requester,
  };
}
