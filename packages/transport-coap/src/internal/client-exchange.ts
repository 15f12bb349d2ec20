import { CoapCode, codeText } from '../coap-codes.js';
import { CoapTransportError } from '../coap-transport-error.js';
import { CONTENT_FORMAT_PKIXCMP } from '../constants.js';
import { BERT_SZX, blockSize, decodeBlock, encodeBlock, type BlockValue } from './block-option.js';
import type { CoapMessage } from './message.js';
import { encodeUint, Option, optionUint, optionValue, type CoapOption } from './options.js';
import { concatBytes, sameBytes } from './bytes.js';
import { randomBytes } from './transmission.js';

/** What the block layer needs of a carrier: one request, one response; and the size of one message. */
export interface RequestChannel {
  request(code: number, options: CoapOption[], payload: Uint8Array, signal?: AbortSignal, token?: Uint8Array): Promise<CoapMessage>;
  limits(): { maxPayload: number; szx: number; bert: boolean };
}

const format = (): CoapOption => ({ number: Option.contentFormat, value: encodeUint(CONTENT_FORMAT_PKIXCMP) });

/**
 * POSTs one DER PKIMessage and returns the DER answer (RFC 9482 section 2.3), block-wise where it
 * does not fit one message (RFC 7959 Block1 with Size1 and a Request-Tag, RFC 9175; BERT over TCP
 * and WebSocket when the server offers it), answers fetched block by block (Block2) with their
 * size checked against `maxResponseBytes` before they are kept.
 */
export async function postPkiMessage(
  channel: RequestChannel,
  target: { uri: CoapOption[]; describe: string },
  body: Uint8Array,
  maxResponseBytes: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const { maxPayload, szx, bert } = channel.limits();
  const tag = { number: Option.requestTag, value: randomBytes(4) };
  let response: CoapMessage;
  // Every request carries a Request-Tag (RFC 9175), so that answers fetched block by block are told
  // apart from those of other requests on the same path in flight at the same time.
  if (body.byteLength <= maxPayload) {
    response = await channel.request(CoapCode.post, [...target.uri, format(), tag], body, signal);
  } else {
    let unitSzx = bert ? BERT_SZX : szx;
    let chunk = bert ? Math.floor(maxPayload / 1024) * 1024 : blockSize(szx);
    let offset = 0;
    for (;;) {
      const payload = body.subarray(offset, offset + chunk);
      const more = offset + payload.byteLength < body.byteLength;
      const block: BlockValue = { num: offset / blockSize(unitSzx), more, szx: unitSzx };
      const options = [...target.uri, format(), { number: Option.block1, value: encodeBlock(block) }, tag];
      if (offset === 0) options.push({ number: Option.size1, value: encodeUint(body.byteLength) });
      response = await channel.request(CoapCode.post, options, payload, signal);
      if (!more || response.code !== CoapCode.continue) break;
      const echoed = decodeBlock(optionValue(response.options, Option.block1) ?? new Uint8Array(0));
      offset += payload.byteLength;
      if (echoed !== undefined && unitSzx !== BERT_SZX && echoed.szx < unitSzx) {
        // The server asks for smaller blocks (RFC 7959 section 2.5): continue with its size.
        unitSzx = echoed.szx;
        chunk = blockSize(unitSzx);
      }
    }
  }
  return readAnswer(channel, response, { describe: target.describe, expected: CoapCode.changed, maxResponseBytes, signal }, (block) => [
    ...target.uri,
    format(),
    { number: Option.block2, value: encodeBlock(block) },
    tag,
  ]);
}

/**
 * The whole body of a successful response: its payload, or, when it carries Block2 with more
 * blocks, that and the blocks fetched with `nextRequest(block)` (same ETag throughout).
 */
export async function readAnswer(
  channel: RequestChannel,
  first: CoapMessage,
  what: { describe: string; expected: number; maxResponseBytes: number; signal: AbortSignal; method?: number },
  nextRequest: (block: BlockValue) => CoapOption[],
): Promise<Uint8Array> {
  checkResponse(first, what.expected, what.describe);
  const block2 = first.options.some((o) => o.number === Option.block2)
    ? decodeBlock(optionValue(first.options, Option.block2)!)
    : undefined;
  const tooLarge = (size: number): CoapTransportError =>
    new CoapTransportError(`coap: ${what.describe} answered with ${size} octets, more than maxMessageBytes (${what.maxResponseBytes})`);
  if (block2 === undefined || !block2.more) {
    if (first.payload.byteLength > what.maxResponseBytes) throw tooLarge(first.payload.byteLength);
    if (first.payload.byteLength === 0) throw new CoapTransportError(`coap: ${what.describe} answered with no PKIMessage`);
    return first.payload.slice();
  }
  const size2 = optionUint(first.options, Option.size2);
  if (size2 !== undefined && size2 > what.maxResponseBytes) throw tooLarge(size2);
  const eTag = optionValue(first.options, Option.eTag);
  const chunks: Uint8Array[] = [first.payload.slice()];
  let received = first.payload.byteLength;
  let current = block2;
  while (current.more) {
    const unit = blockSize(current.szx);
    if (received % unit !== 0)
      throw new CoapTransportError(`coap: ${what.describe} sent a block that is not a whole number of ${unit}-octet units`);
    const next: BlockValue = { num: received / unit, more: false, szx: current.szx };
    const response = await channel.request(what.method ?? CoapCode.post, nextRequest(next), new Uint8Array(0), what.signal);
    checkResponse(response, what.expected, what.describe);
    const block = decodeBlock(optionValue(response.options, Option.block2) ?? new Uint8Array(0));
    if (block === undefined || block.num !== next.num)
      throw new CoapTransportError(`coap: ${what.describe} answered block ${next.num} with another block`);
    const tag = optionValue(response.options, Option.eTag);
    if (eTag !== undefined && (tag === undefined || !sameBytes(tag, eTag))) {
      throw new CoapTransportError(`coap: the answer of ${what.describe} changed while it was fetched block by block (ETag)`);
    }
    if (received + response.payload.byteLength > what.maxResponseBytes) throw tooLarge(received + response.payload.byteLength);
    if (block.more && response.payload.byteLength === 0) throw new CoapTransportError(`coap: ${what.describe} sent an empty block`);
    chunks.push(response.payload.slice());
    received += response.payload.byteLength;
    current = block;
  }
  return concatBytes(chunks);
}

/** Throws a {@link CoapTransportError} for an error response or one in another Content-Format. */
export function checkResponse(response: CoapMessage, expected: number, describe: string): void {
  if (response.code >> 5 !== 2) {
    const text = new TextDecoder()
      .decode(response.payload)
      .replace(/[^\x20-\x7e]/g, '')
      .slice(0, 200);
    const size1 = optionUint(response.options, Option.size1);
    const limit = response.code === CoapCode.requestEntityTooLarge && size1 !== undefined ? ` (the limit is ${size1} octets)` : '';
    throw new CoapTransportError(`coap: ${describe} answered ${codeText(response.code)}${text ? `: ${text}` : ''}${limit}`, {
      responseCode: response.code,
    });
  }
  if (response.code !== expected) {
    throw new CoapTransportError(`coap: ${describe} answered ${codeText(response.code)}, expected ${codeText(expected)}`, {
      responseCode: response.code,
    });
  }
  const contentFormat = optionUint(response.options, Option.contentFormat);
  if (response.payload.byteLength > 0 && contentFormat !== CONTENT_FORMAT_PKIXCMP) {
    throw new CoapTransportError(
      `coap: ${describe} answered with Content-Format ${contentFormat ?? 'none'}, not ${CONTENT_FORMAT_PKIXCMP} (application/pkixcmp)`,
    );
  }
}
