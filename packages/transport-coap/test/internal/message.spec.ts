import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoapFormatError } from '../../src/coap-format-error.js';
import { decodeBlock, encodeBlock } from '../../src/internal/block-option.js';
import {
  decodeReliableMessage,
  decodeUdpMessage,
  encodeReliableMessage,
  encodeUdpMessage,
  MessageType,
  reliableFrameSize,
  type CoapMessage,
} from '../../src/internal/message.js';
import { Option, uriPathOptions } from '../../src/internal/options.js';
import { FrameTooLargeError, TcpFrameReader } from '../../src/internal/tcp-frame-reader.js';

const hex = (s: string): Uint8Array => new Uint8Array((s.match(/../g) ?? []).map((b) => parseInt(b, 16)));

const message = (over: Partial<CoapMessage> = {}): CoapMessage => ({
  type: MessageType.con,
  code: 0x02,
  messageId: 0x7177,
  token: hex('01'),
  options: [...uriPathOptions('/.well-known/cmp'), { number: Option.contentFormat, value: hex('0103') }],
  payload: hex('3000'),
  ...over,
});

describe('CoAP message codec', () => {
  it('writes a datagram as libcoap does (RFC 7252 section 3)', () => {
    // Header 0x41 (v1 CON TKL 1), POST, MID, token, Uri-Path ".well-known" "cmp", Content-Format 259, payload.
    expect(encodeUdpMessage(message())).toEqual(hex('41027177' + '01' + 'bb2e77656c6c2d6b6e6f776e' + '03636d70' + '120103' + 'ff3000'));
  });

  it('reads back what it writes, on UDP, TCP and WebSocket framings', () => {
    const original = message({
      options: [...message().options, { number: Option.requestTag, value: hex('9852f64b') }, { number: Option.size1, value: hex('012c') }],
    });
    const sorted = [...original.options].sort((a, b) => a.number - b.number);
    expect(decodeUdpMessage(encodeUdpMessage(original))).toMatchObject({ ...original, options: sorted });
    for (const withLength of [true, false]) {
      const decoded = decodeReliableMessage(encodeReliableMessage(original, withLength), withLength);
      expect(decoded).toMatchObject({ code: original.code, token: original.token, options: sorted, payload: original.payload });
    }
  });

  it.each([0, 12, 13, 268, 269, 65804, 65805, 70000])(
    'frames %i octets of options and payload over TCP with the right length (RFC 8323 section 3.2)',
    (size) => {
      const payload = new Uint8Array(Math.max(0, size - 1)).fill(7);
      const frame = encodeReliableMessage({ code: 0x44, token: hex('aabb'), options: [], payload }, true);
      expect(reliableFrameSize(frame)).toEqual({
        optionsLength: payload.byteLength === 0 ? 0 : payload.byteLength + 1,
        total: frame.byteLength,
      });
    },
  );

  it('refuses malformed datagrams with CoapFormatError only', () => {
    for (const bad of ['40', '81020000', '490200000102030405060708', '41020000', '400200', '4002000011', '40020000ff', '4002000001']) {
      expect(() => decodeUdpMessage(hex(bad.length % 2 ? `${bad}0` : bad))).toThrow(CoapFormatError);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeUdpMessage(bytes);
          decodeReliableMessage(bytes, false);
        } catch (error) {
          if (!(error instanceof CoapFormatError)) throw error;
        }
      }),
    );
  });

  it('cuts a TCP stream into frames across chunk borders and refuses an oversize frame before buffering it', () => {
    const a = encodeReliableMessage({ code: 0x02, token: hex('01'), options: [], payload: new Uint8Array(300).fill(1) }, true);
    const b = encodeReliableMessage({ code: 0xe2, token: hex(''), options: [], payload: new Uint8Array(0) }, true);
    const stream = new Uint8Array([...a, ...b]);
    const reader = new TcpFrameReader(1000);
    const frames = [...reader.push(stream.subarray(0, 1)), ...reader.push(stream.subarray(1, 200)), ...reader.push(stream.subarray(200))];
    expect(frames).toEqual([a, b]);
    const small = new TcpFrameReader(100);
    expect(() => small.push(a.subarray(0, 3))).toThrow(FrameTooLargeError);
  });

  it('encodes Block options (RFC 7959 section 2.2)', () => {
    expect(encodeBlock({ num: 4, more: false, szx: 2 })).toEqual(hex('42'));
    expect(decodeBlock(hex('0a'))).toEqual({ num: 0, more: true, szx: 2 });
    expect(decodeBlock(encodeBlock({ num: 0xfffff, more: true, szx: 7 }))).toEqual({ num: 0xfffff, more: true, szx: 7 });
    expect(decodeBlock(hex('01020304'))).toBeUndefined();
  });
});
