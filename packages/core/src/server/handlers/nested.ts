import { decodePKIMessage, encodePKIMessage, type DecodedPKIMessage, type PKIMessage } from '@cmpkit/codec';
import { ProtocolError } from '../../errors/protocol-error.js';
import { RequestRejectedError } from '../../errors/request-rejected-error.js';
import { bytesEqual, toHex } from '../../message/bytes.js';
import { isAuthorizedRa } from '../authorized-ra.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';

/** Processes one inner message as a request of its own and resolves to its DER response. */
export type InnerRequestProcessor = (request: Uint8Array) => Promise<Uint8Array>;

/** The exact bytes of an inner message (a decoded nested body holds DecodedPKIMessages). */
function innerBytes(inner: PKIMessage): Uint8Array {
  return 'raw' in inner ? (inner as DecodedPKIMessage).raw.message : encodePKIMessage(inner);
}

/**
 * The message an RA added its protection to (RFC 9483 section 5.2.2.1): a nested message holding
 * one message whose transactionID and senderNonce its header copies. Undefined for a batch.
 */
export function addedProtectionOf(request: DecodedPKIMessage): PKIMessage | undefined {
  if (request.body.type !== 'nested' || request.body.content.length !== 1) return undefined;
  const inner = request.body.content[0] as PKIMessage;
  const h = request.header;
  return bytesEqual(inner.header.transactionID, h.transactionID) && bytesEqual(inner.header.senderNonce, h.senderNonce) ? inner : undefined;
}

/**
 * The header rules of a nested message (RFC 9483 sections 5.2.2.1 and 5.2.2.2): wrapping one
 * message copies both its transactionID and its senderNonce (one without the other: badSenderNonce
 * or badRequest); a batch holds messages of distinct transactions (transactionIdInUse) with
 * distinct senderNonces (badSenderNonce).
 */
function checkNestedHeader(request: DecodedPKIMessage, content: readonly PKIMessage[]): void {
  const h = request.header;
  if (content.length === 1) {
    const inner = content[0] as PKIMessage;
    const sameId = bytesEqual(inner.header.transactionID, h.transactionID);
    const sameNonce = bytesEqual(inner.header.senderNonce, h.senderNonce);
    if (sameId && !sameNonce) {
      throw new ProtocolError(
        'badSenderNonce',
        'a nested message that copies the transactionID of its message must copy its senderNonce too',
      );
    }
    if (sameNonce && !sameId) {
      throw new ProtocolError('badRequest', 'a nested message that copies the senderNonce of its message must copy its transactionID too');
    }
    return;
  }
  const ids = new Set<string>();
  const nonces = new Set<string>();
  for (const inner of content) {
    const id = inner.header.transactionID ? toHex(inner.header.transactionID) : '';
    const nonce = inner.header.senderNonce ? toHex(inner.header.senderNonce) : '';
    if (id && ids.has(id)) throw new ProtocolError('transactionIdInUse', `two messages of the batch have transactionID ${id}`);
    if (nonce && nonces.has(nonce)) throw new ProtocolError('badSenderNonce', 'two messages of the batch have the same senderNonce');
    ids.add(id);
    nonces.add(nonce);
  }
}

/**
 * nested (RFC 9810 section 5.1.3.5, RFC 9483 sections 5.2.2.1 and 5.2.2.2): an authorised RA
 * (signature-protected: a MAC is wrongIntegrity) added its protection to, or batched, requests of
 * end entities. Every inner message is a request of its own (its own protection, transaction and
 * checks). Added protection is answered with the inner response itself, as the end entity expects
 * it; a batch with a nested message of the inner responses, in the order of the requests. Inner
 * messages are processed one after another, so two of the same transaction keep their order.
 */
export async function handleNested(input: HandlerInput, processInner: InnerRequestProcessor): Promise<HandlerOutcome> {
  const { ctx, request, auth } = input;
  if (request.body.type !== 'nested') throw new ProtocolError('badRequest', 'not a nested message');
  if (!(await isAuthorizedRa(ctx, auth.requester))) {
    if (auth.requester.kind === 'mac') {
      throw new ProtocolError('wrongIntegrity', 'a nested message must be signed by the RA (RFC 9483 section 5.2.2), not MAC-protected');
    }
    throw new RequestRejectedError(
      'notAuthorized',
      'nested messages are accepted only from an authorised RA (a certificate with id-kp-cmcRA)',
    );
  }
  const content = request.body.content as PKIMessage[];
  checkNestedHeader(request, content);
  if (addedProtectionOf(request))
    return { answer: await processInner(innerBytes(content[0] as PKIMessage)), reply: undefined, record: null };
  const responses: PKIMessage[] = [];
  for (const inner of content) responses.push(decodePKIMessage(await processInner(innerBytes(inner))));
  return { reply: { body: { type: 'nested', content: responses } }, record: null };
}
