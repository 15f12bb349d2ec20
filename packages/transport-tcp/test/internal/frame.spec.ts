import { describe, expect, it } from 'vitest';
import { pollDelayMs } from '../../src/internal/check-back.js';
import { decodeErrorMsgRep, encodeErrorMsgRep, encodeFrame, encodePollRep, encodePollReq, MessageType } from '../../src/internal/frame.js';
import { hex } from '../support/raw.js';

describe('frame encoding', () => {
  it('writes the version 10 layout: length, 10, flags, type, value', () => {
    expect(hex(encodeFrame('v10', MessageType.pkiReq, Uint8Array.of(0x30, 0x00), 1))).toBe('00000005' + '0a' + '01' + '00' + '3000');
  });

  it('writes the RFC 2510 layout: length, type, value', () => {
    expect(hex(encodeFrame('rfc2510', MessageType.pkiRep, Uint8Array.of(0x30, 0x00)))).toBe('00000003' + '05' + '3000');
  });

  it('writes pollRep and pollReq values as 32-bit big-endian fields', () => {
    expect(hex(encodePollRep(0x01020304, 1_700_000_000))).toBe('01020304' + '6553f100');
    expect(hex(encodePollReq(7))).toBe('00000007');
  });

  it('writes and reads errorMsgRep: code, data length, data, text (v10); text only (RFC 2510)', () => {
    const v10 = encodeErrorMsgRep('v10', 0x0201, 'too large', Uint8Array.of(0, 0, 1, 0));
    expect(hex(v10.subarray(0, 8))).toBe('0201' + '0004' + '00000100');
    expect(decodeErrorMsgRep('v10', v10)).toEqual({ errorCode: 0x0201, text: 'too large' });
    expect(hex(encodeErrorMsgRep('rfc2510', 0x0201, 'hi'))).toBe('6869');
    expect(decodeErrorMsgRep('rfc2510', new TextEncoder().encode('unknown ref'))).toEqual({
      errorCode: undefined,
      text: 'unknown ref',
    });
  });

  it('reads a malformed errorMsgRep leniently as text, without control characters', () => {
    expect(decodeErrorMsgRep('v10', Uint8Array.of(0x41, 0x42))).toEqual({
      errorCode: undefined,
      text: 'AB',
    });
    // The data length points past the end: the whole value is text.
    expect(decodeErrorMsgRep('v10', Uint8Array.of(0, 1, 0, 9, 0x41))).toEqual({
      errorCode: undefined,
      text: 'A',
    });
    expect(decodeErrorMsgRep('rfc2510', new TextEncoder().encode('a\r\nb\u0007')).text).toBe('a b');
    expect(decodeErrorMsgRep('rfc2510', new Uint8Array(500).fill(0x61)).text).toHaveLength(203);
  });
});

describe('time-to-check-back', () => {
  it('reads values from 10^9 on as seconds since 1970, smaller ones as a delay in seconds', () => {
    const now = 1_700_000_000_000;
    expect(pollDelayMs(1_700_000_005, now)).toBe(5000);
    expect(pollDelayMs(1_699_999_990, now)).toBe(0);
    expect(pollDelayMs(5, now)).toBe(5000);
    expect(pollDelayMs(0, now)).toBe(0);
  });
});
