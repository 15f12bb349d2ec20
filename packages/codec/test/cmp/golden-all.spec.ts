import { describe, expect, it } from 'vitest';
import {
  decodePKIMessage,
  encodePKIMessage,
  PKI_BODY_TYPES,
  receivedProtectedPart,
  type DecodedPKIMessage,
  type PKIBodyType,
} from '../../src/index.js';
import { allVectors, toHex } from '../fixtures.js';
import { childrenOf, elementAt, slice, tlvAt } from '../helpers/tlv.js';

const vectors = allVectors();

/** The body type a vector's file name announces (`poll-pbm_3-pollReq.der`, `ckuann-v3.der`, `pkiConf.der`). */
function bodyTypeOfName(path: string): PKIBodyType {
  const file = path.split('/').pop() as string;
  const stem = file.replace(/\.der$/, '');
  const word = (stem.includes('_') ? stem.split('_')[1]!.replace(/^\d+-/, '') : stem).split('-')[0]!;
  const type = PKI_BODY_TYPES.find((t) => t.toLowerCase() === word.toLowerCase());
  if (!type) throw new Error(`no body type in the name ${path}`);
  return type;
}

const CERT_REQ_BODIES = new Set<PKIBodyType>(['ir', 'cr', 'kur', 'krr', 'ccr']);

/** Checks every raw view of `m` against the byte ranges an independent walker finds in `der`. */
function checkRawViews(m: DecodedPKIMessage, der: Uint8Array): void {
  expect(toHex(m.raw.message)).toBe(toHex(der));
  // views into the input, not copies
  expect(m.raw.message.buffer).toBe(der.buffer);
  const top = tlvAt(der, 0);
  const [header, body] = childrenOf(der, top);
  expect(toHex(m.raw.header)).toBe(toHex(slice(der, header!)));
  expect(toHex(m.raw.body)).toBe(toHex(slice(der, body!)));
  expect(m.raw.header.byteOffset - der.byteOffset).toBe(header!.start);
  expect(m.raw.body.byteOffset - der.byteOffset).toBe(body!.start);
  // ProtectedPart over the received bytes is SEQUENCE { header, body } of exactly those bytes
  const part = receivedProtectedPart(m);
  const partTop = tlvAt(part, 0);
  expect(toHex(part.subarray(partTop.contentStart))).toBe(toHex(der.subarray(header!.start, body!.end)));

  if (CERT_REQ_BODIES.has(m.body.type)) {
    const msgs = m.body.content as Extract<DecodedPKIMessage['body'], { type: 'ir' }>['content'];
    msgs.forEach((msg, i) => {
      const certReqMsg = elementAt(der, [1, 0, i]);
      const certReq = childrenOf(der, certReqMsg)[0]!;
      expect(toHex(msg.raw!.certReq)).toBe(toHex(slice(der, certReq)));
      if (msg.popo?.type === 'signature' && msg.popo.value.poposkInput) {
        const input = childrenOf(der, childrenOf(der, certReqMsg)[1]!)[0]!;
        const expected = Uint8Array.from(slice(der, input));
        expect(expected[0]).toBe(0xa0);
        expected[0] = 0x30;
        expect(toHex(msg.popo.value.raw!.poposkInput)).toBe(toHex(expected));
      }
    });
  }
  if (m.body.type === 'nested') {
    const list = elementAt(der, [1, 0]);
    (m.body.content as DecodedPKIMessage[]).forEach((inner, i) => {
      const el = childrenOf(der, list)[i]!;
      const innerDer = der.subarray(el.start, el.end);
      expect(toHex(inner.raw.message)).toBe(toHex(innerDer));
      checkRawViews(inner, innerDer);
    });
  }
}

describe('every vector in fixtures/der', () => {
  it('covers all 27 PKIBody types', () => {
    const seen = new Set(vectors.map(([, der]) => decodePKIMessage(der).body.type));
    expect([...PKI_BODY_TYPES].filter((t) => !seen.has(t))).toEqual([]);
    expect(vectors.length).toBeGreaterThanOrEqual(70);
  });

  it.each(vectors)('%s decodes to the body its name says and re-encodes byte for byte', (path, der) => {
    const m = decodePKIMessage(der);
    expect(m.body.type).toBe(bodyTypeOfName(path));
    expect(toHex(encodePKIMessage(m))).toBe(toHex(der));
  });

  it.each(vectors)('%s: raw header/body/certReq/poposkInput views are the right slices', (_path, der) => {
    checkRawViews(decodePKIMessage(der), der);
  });

  it.each(vectors)('%s decodes the same from an offset view into a larger buffer', (_path, der) => {
    const big = new Uint8Array(der.length + 16);
    big.set(der, 7);
    const view = big.subarray(7, 7 + der.length);
    const m = decodePKIMessage(view);
    expect(toHex(encodePKIMessage(m))).toBe(toHex(der));
    expect(m.raw.header.byteOffset).toBe(7 + tlvAt(der, tlvAt(der, 0).contentStart).start);
  });
});
