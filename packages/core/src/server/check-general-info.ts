import type { DecodedPKIMessage, InfoTypeAndValue, PKIBodyType } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';

/** Requests that may ask for implicit confirmation (RFC 9483 section 3.1: "MUST be absent in other messages"). */
const IMPLICIT_CONFIRM_BODIES: ReadonlySet<PKIBodyType> = new Set(['ir', 'cr', 'kur', 'p10cr', 'ccr']);

/** Requests that may name certificate profiles (RFC 9483 section 3.1, RFC 9810 section 5.1.1.4). */
const CERT_PROFILE_BODIES: ReadonlySet<PKIBodyType> = new Set(['ir', 'cr', 'kur', 'p10cr', 'ccr', 'genm']);

/** How many profile names a request may carry: one per CertReqMsg or genm item, one for p10cr. */
function profileSlots(request: DecodedPKIMessage): number {
  const body = request.body;
  switch (body.type) {
    case 'ir':
    case 'cr':
    case 'kur':
    case 'ccr':
      return body.content.length;
    case 'genm':
      return Math.max(body.content.length, 1);
    default:
      return 1;
  }
}

function refuseInvalid(items: readonly InfoTypeAndValue[], where: string): void {
  for (const itav of items) {
    if (itav.type === 'invalid') {
      throw new ProtocolError('badRequest', `${where} holds a malformed ${itav.infoType} value (${itav.error.message})`);
    }
  }
}

/**
 * The generalInfo rules of a request (RFC 9483 section 3.1, RFC 9810 section 5.1.1): every
 * infotype value well-formed, implicitConfirm only in certificate requests, confirmWaitTime never
 * (it belongs to responses), certProfile only in certificate requests and genm and with no more
 * names than the body has requests. A genm's own items must be well-formed too.
 *
 * @throws ProtocolError badRequest.
 */
export function checkGeneralInfo(request: DecodedPKIMessage): void {
  const type = request.body.type;
  const generalInfo = request.header.generalInfo ?? [];
  refuseInvalid(generalInfo, 'generalInfo');
  for (const itav of generalInfo) {
    if (itav.type === 'implicitConfirm' && !IMPLICIT_CONFIRM_BODIES.has(type)) {
      throw new ProtocolError('badRequest', `implicitConfirm is not allowed in a ${type}`);
    }
    if (itav.type === 'confirmWaitTime') {
      throw new ProtocolError('badRequest', 'confirmWaitTime belongs to certificate responses, not to requests');
    }
    if (itav.type === 'certProfile') {
      if (!CERT_PROFILE_BODIES.has(type)) throw new ProtocolError('badRequest', `certProfile is not allowed in a ${type}`);
      if ((itav.infoValue?.length ?? 0) > profileSlots(request)) {
        throw new ProtocolError('badRequest', `certProfile names more profiles than the ${type} has requests`);
      }
    }
  }
  if (request.body.type === 'genm') refuseInvalid(request.body.content, 'the genm');
}
