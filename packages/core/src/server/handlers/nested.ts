import { decodePKIMessage, encodePKIMessage, type DecodedPKIMessage, type PKIMessage } from '@cmpkit/codec';
import { ProtocolError } from '../../errors/protocol-error.js';
import { RequestRejectedError } from '../../errors/request-rejected-error.js';
import { isAuthorizedRa } from '../authorized-ra.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';

/** Processes one inner message as a request of its own and resolves to its DER response. */
export type InnerRequestProcessor = (request: Uint8Array) => Promise<Uint8Array>;

/**
 * nested (RFC 9810 section 5.1.3.5, RFC 9483 sections 5.2.2.1 and 5.2.2.2): an authorised RA
 * added its protection to, or batched, requests of end entities. Every inner message is a request
 * of its own (its own protection, transaction and checks); the answer is a nested message
 * holding each inner response, in the order of the requests. Inner messages are processed one
 * after another, so two of the same transaction keep their order.
 */
export async function handleNested(input: HandlerInput, processInner: InnerRequestProcessor): Promise<HandlerOutcome> {
  const { ctx, request, auth } = input;
  if (request.body.type !== 'nested') throw new ProtocolError('badRequest', 'not a nested message');
  if (!(await isAuthorizedRa(ctx, auth.requester))) {
    throw new RequestRejectedError(
      'notAuthorized',
      'nested messages are accepted only from an authorised RA (a certificate with id-kp-cmcRA)',
    );
  }
  const responses: PKIMessage[] = [];
  for (const inner of request.body.content) {
    // A decoded nested body holds DecodedPKIMessages: their exact bytes go on, never a re-encoding.
    const bytes = 'raw' in inner ? (inner as DecodedPKIMessage).raw.message : encodePKIMessage(inner);
    responses.push(decodePKIMessage(await processInner(bytes)));
  }
  return { reply: { body: { type: 'nested', content: responses } }, record: null };
}
