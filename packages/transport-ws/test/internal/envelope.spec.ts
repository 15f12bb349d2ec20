import { describe, expect, it } from 'vitest';
import { WsEnvelopeKind } from '../../src/index.js';
import { backoffDelay } from '../../src/internal/backoff.js';
import { decodeEnvelope, encodeEnvelope, errorText } from '../../src/internal/envelope.js';
import { hex } from '../support/helpers.js';

describe('envelope', () => {
  it('is kind (1 octet), id (4 octets, big-endian), payload', () => {
    const bytes = encodeEnvelope(WsEnvelopeKind.request, 0x01020304, Uint8Array.of(0x30, 0x00));
    expect(hex(bytes)).toBe('01' + '01020304' + '3000');
    expect(decodeEnvelope(bytes)).toEqual({
      kind: 1,
      id: 0x01020304,
      payload: Uint8Array.of(0x30, 0x00),
    });
    expect(decodeEnvelope(encodeEnvelope(WsEnvelopeKind.push, 0xffffffff, new Uint8Array(0)))).toEqual({
      kind: 3,
      id: 0xffffffff,
      payload: new Uint8Array(0),
    });
  });

  it('refuses a message shorter than its header', () => {
    expect(decodeEnvelope(Uint8Array.of(2, 0, 0, 0))).toBeUndefined();
  });

  it('reads error text without control characters, at most 200 characters', () => {
    expect(errorText(new TextEncoder().encode('bad\r\nthing\u0000'))).toBe('bad thing');
    expect(errorText(new Uint8Array(300).fill(0x62))).toHaveLength(203);
  });
});

describe('backoff', () => {
  it('multiplies the delay by the factor up to the maximum, without jitter', () => {
    const settings = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, maxAttempts: Infinity };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(settings, attempt))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay({ ...settings, factor: 1 }, 9)).toBe(100);
  });
});
