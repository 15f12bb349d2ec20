import {
  decodeCertRequest,
  decodePKIMessage,
  encodeCertRequest,
  type CertReqMsg,
  type DecodedPKIMessage,
  type InfoTypeAndValue,
} from '@cmpkit/codec';
import type { EnrollOptions } from '../client/enroll-options.js';
import { RequestRejectedError } from '../errors/request-rejected-error.js';
import type { CertificationRequest } from '../server/issuer.js';

/**
 * What a registration authority asks the CA for one end entity's certification request, as
 * plain data that survives a restart (kept with a delayed-delivery job): the end entity's
 * message as received (its CertReqMsg and POP, or origPKIMessage), the CertRequest the RA's policy
 * amended, if it did, and whether the request goes as raVerified.
 */
export interface UpstreamRequest {
  bodyType: 'ir' | 'cr' | 'kur' | 'p10cr';
  certReqId: number;
  profile?: string;
  /** The end entity's PKIMessage as received (DER). */
  received?: Uint8Array;
  /** The DER PKCS#10 request of a p10cr. */
  csr?: Uint8Array;
  /** The CertRequest with the template the RA's policy amended (DER); absent when unchanged. */
  amended?: Uint8Array;
  /** Send raVerified (with origPKIMessage) instead of the end entity's own POP. */
  raVerified: boolean;
}

/** The end entity's CertReqMsg the request came from. */
function originalCertReqMsg(received: DecodedPKIMessage | undefined, certReqId: number): CertReqMsg {
  const body = received?.body;
  const messages = body && (body.type === 'ir' || body.type === 'cr' || body.type === 'kur') ? body.content : [];
  const msg = messages.find((m) => m.certReq.certReqId === certReqId);
  if (!msg) throw new RequestRejectedError('systemFailure', 'the RA lost the original request');
  return msg;
}

/**
 * The upstream request for an end entity's certification request (RFC 9483 section 5.2.3): its
 * CertReqMsg and POP unchanged, or, when the RA checked POP or its policy amended the template,
 * raVerified with the original request in origPKIMessage. Refuses what an RA does not pass on.
 */
export async function upstreamRequestOf(
  request: CertificationRequest,
  raVerified: (request: CertificationRequest) => Promise<boolean>,
): Promise<UpstreamRequest> {
  const profile = request.profile !== undefined ? { profile: request.profile } : {};
  if (request.bodyType === 'p10cr') {
    if (!request.csr) throw new RequestRejectedError('systemFailure', 'the RA lost the PKCS#10 request');
    return { bodyType: 'p10cr', certReqId: request.certReqId, csr: request.csr, raVerified: false, ...profile };
  }
  if (request.bodyType !== 'ir' && request.bodyType !== 'cr' && request.bodyType !== 'kur') {
    throw new RequestRejectedError('badRequest', `the RA does not pass ${request.bodyType} on`);
  }
  if (request.centralKeyGeneration)
    throw new RequestRejectedError('badRequest', 'the RA does not pass on requests for central key generation');
  const original = originalCertReqMsg(request.received, request.certReqId);
  const amended = request.template !== original.certReq.certTemplate;
  if (request.bodyType === 'kur') {
    // RFC 9483 section 5.2.3.2: raVerified is not for kur, whose POP and key stay the end entity's.
    if (amended) throw new RequestRejectedError('badCertTemplate', 'the RA cannot amend a kur; it passes it on unchanged');
    return { bodyType: 'kur', certReqId: request.certReqId, received: request.received!.raw.message, raVerified: false, ...profile };
  }
  return {
    bodyType: request.bodyType,
    certReqId: request.certReqId,
    received: request.received!.raw.message,
    ...(amended ? { amended: encodeCertRequest({ ...original.certReq, certTemplate: request.template }) } : {}),
    raVerified: amended || (await raVerified(request)),
    ...profile,
  };
}

/** The client's EnrollOptions for an upstream request. */
export function enrollOptionsOf(request: UpstreamRequest): EnrollOptions {
  const profile = request.profile !== undefined ? { certProfile: request.profile } : {};
  if (request.bodyType === 'p10cr') {
    if (!request.csr) throw new RequestRejectedError('systemFailure', 'the RA lost the PKCS#10 request');
    return { bodyType: 'p10cr', csr: request.csr, ...profile };
  }
  const received = request.received ? decodePKIMessage(request.received) : undefined;
  const original = originalCertReqMsg(received, request.certReqId);
  if (!request.raVerified) return { bodyType: request.bodyType, certReqMsg: original, ...profile };
  const generalInfo: InfoTypeAndValue[] = received ? [{ type: 'origPKIMessage', infoValue: [received] }] : [];
  return {
    bodyType: request.bodyType,
    certReqMsg: { certReq: request.amended ? decodeCertRequest(request.amended) : original.certReq },
    raVerified: true,
    generalInfo,
    ...profile,
  };
}
