import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../../src/ip-address.js';
import { inIpRange, parseIpRange } from '../../src/internal/ip-address.js';

describe('parseIpAddress', () => {
  it.each([
    ['192.0.2.1', [192, 0, 2, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['::1', [...Array(15).fill(0), 1]],
    ['::', Array(16).fill(0)],
    ['2001:db8::ff00:42:8329', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29]],
    ['fe80:0:0:0:0:0:0:1', [0xfe, 0x80, ...Array(13).fill(0), 1]],
  ])('parses %s', (text, bytes) => {
    expect([...parseIpAddress(text)!]).toEqual(bytes);
  });

  it.each(['256.0.0.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', ''])(
    'refuses %s',
    (text) => {
      expect(parseIpAddress(text)).toBeNull();
    },
  );
});

describe('IP ranges', () => {
  it('matches addresses by prefix and family', () => {
    const v4 = parseIpRange('10.0.0.0/8')!;
    expect(inIpRange(parseIpAddress('10.255.0.1')!, v4)).toBe(true);
    expect(inIpRange(parseIpAddress('11.0.0.1')!, v4)).toBe(false);
    const odd = parseIpRange('192.168.4.0/22')!;
    expect(inIpRange(parseIpAddress('192.168.7.255')!, odd)).toBe(true);
    expect(inIpRange(parseIpAddress('192.168.8.0')!, odd)).toBe(false);
    const v6 = parseIpRange('2001:db8::/32')!;
    expect(inIpRange(parseIpAddress('2001:db8:1::1')!, v6)).toBe(true);
    expect(inIpRange(parseIpAddress('10.0.0.1')!, v6)).toBe(false);
    const single = parseIpRange('192.0.2.1')!;
    expect(single.prefix).toBe(32);
    expect(inIpRange(parseIpAddress('192.0.2.2')!, single)).toBe(false);
    expect(inIpRange(parseIpAddress('1.2.3.4')!, parseIpRange('0.0.0.0/0')!)).toBe(true);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/1', '::/129', 'x/8', '10.0.0.0/08'])('refuses the range %s', (text) => {
    expect(parseIpRange(text)).toBeNull();
  });
});
