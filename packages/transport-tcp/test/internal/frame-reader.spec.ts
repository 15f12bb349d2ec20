import { describe, expect, it } from 'vitest';
import { encodeFrame, MessageType } from '../../src/internal/frame.js';
import { FrameReader } from '../../src/internal/frame-reader.js';
import { hex, message } from '../support/raw.js';

describe('FrameReader', () => {
  it('reads a version 10 frame fed one octet at a time', () => {
    const value = message(300);
    const bytes = encodeFrame('v10', MessageType.pkiReq, value, 1);
    const reader = new FrameReader(1000);
    const frames = [];
    for (let i = 0; i < bytes.length; i++) {
      const result = reader.push(bytes.subarray(i, i + 1));
      expect(result.fault).toBeUndefined();
      frames.push(...result.frames);
      expect(reader.pending).toBe(i < bytes.length - 1);
    }
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ framing: 'v10', flags: 1, type: MessageType.pkiReq });
    expect(hex(frames[0]!.value)).toBe(hex(value));
  });

  it('reads several frames of both framings from one chunk, and a frame split across chunks', () => {
    const a = encodeFrame('v10', MessageType.pkiRep, message(10, 1));
    const b = encodeFrame('rfc2510', MessageType.pkiRep, message(20, 2));
    const c = encodeFrame('v10', MessageType.finRep, new Uint8Array(0));
    const d = encodeFrame('rfc2510', MessageType.pollReq, Uint8Array.of(0, 0, 0, 7));
    const all = new Uint8Array([...a, ...b, ...c, ...d]);
    const reader = new FrameReader(100);
    const first = reader.push(all.subarray(0, a.length + 3));
    const second = reader.push(all.subarray(a.length + 3));
    expect(first.frames.map((f) => f.framing)).toEqual(['v10']);
    expect(second.frames.map((f) => [f.framing, f.type, f.value.length])).toEqual([
      ['rfc2510', 5, 20],
      ['v10', 3, 0],
      ['rfc2510', 2, 4],
    ]);
    expect(hex(second.frames[0]!.value)).toBe(hex(message(20, 2)));
    expect(second.frames[0]!.flags).toBe(0);
    expect(reader.pending).toBe(false);
  });

  it('refuses an announced length over the limit as soon as the four length octets are in', () => {
    const reader = new FrameReader(100);
    expect(reader.push(Uint8Array.of(0, 0, 0)).fault).toBeUndefined();
    // 104 = 3 header octets + 101 value octets.
    expect(reader.push(Uint8Array.of(104)).fault).toEqual({ kind: 'tooLarge', announced: 104 });
    // Nothing more is read after a fault.
    expect(reader.push(encodeFrame('v10', 0, message(5)))).toEqual({ frames: [] });
  });

  it('takes exactly the limit in either framing, and refuses one more once the framing is known', () => {
    expect(new FrameReader(100).push(encodeFrame('v10', 0, message(100))).frames).toHaveLength(1);
    expect(new FrameReader(100).push(encodeFrame('rfc2510', 0, message(100))).frames).toHaveLength(1);
    // 102 passes the first check (<= 103) but is 101 value octets in RFC 2510 framing.
    expect(new FrameReader(100).push(Uint8Array.of(0, 0, 0, 102, 0)).fault).toEqual({
      kind: 'tooLarge',
      announced: 102,
    });
    expect(new FrameReader(100).push(Uint8Array.of(0, 0, 0, 102, 10)).fault).toBeUndefined();
  });

  it.each([
    ['a version octet that is neither 10 nor an RFC 2510 type', [0, 0, 0, 5, 0x30], { kind: 'badVersion', octet: 0x30 }],
    ['version 11', [0, 0, 0, 5, 11], { kind: 'badVersion', octet: 11 }],
    ['type 7 in RFC 2510 position', [0, 0, 0, 5, 7], { kind: 'badVersion', octet: 7 }],
    ['a version 10 length too short for flags and type', [0, 0, 0, 2, 10], { kind: 'badLength', announced: 2 }],
    ['an RFC 2510 length of zero', [0, 0, 0, 0, 0], { kind: 'badLength', announced: 0 }],
  ])('refuses %s', (_name, bytes, fault) => {
    expect(new FrameReader(100).push(Uint8Array.from(bytes)).fault).toEqual(fault);
  });
});
