import { decodePKIMessage, isDerError, type DecodedPKIMessage } from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import { ProtectionError, verifyProtection } from '../src/index.js';
import { fixtureDir, OPENSSL_SECRET, providers } from './helpers.js';

/**
 * Flip one bit of one byte at a time and verify. Every outcome must be a DerError (the bytes no
 * longer decode), a ProtectionError badMessageCheck, or badAlg when the flip landed in
 * protectionAlg (an unknown OID or out-of-bounds parameters). The one region that is not
 * protected is extraCerts (RFC 9810 section 5.1: they are outside ProtectedPart); flips there
 * must leave the MAC valid, which shows the MAC covers exactly header and body.
 *
 * A PasswordBasedMac verification here is 500 WebCrypto digest calls, 5-80 µs each depending on
 * the provider and the machine's load, so by default the offsets are sampled deterministically:
 * every byte of protectionAlg (where the key derivation parameters are), and every STRIDE-th
 * byte elsewhere. Set CMPKIT_TAMPER_EXHAUSTIVE=1 to flip every byte under both providers
 * (about three minutes on a loaded 2-CPU machine; it passes).
 */
const EXHAUSTIVE = process.env.CMPKIT_TAMPER_EXHAUSTIVE === '1';
const STRIDE: Record<string, number> = EXHAUSTIVE ? { node: 1, peculiar: 1 } : { node: 23, peculiar: 7 };

interface Regions {
  header: [number, number];
  protectionAlg: [number, number];
  body: [number, number];
  extraCerts: [number, number];
}

function offsetIn(der: Uint8Array, part: Uint8Array): number {
  return part.byteOffset - der.byteOffset;
}

function regionsOf(der: Uint8Array, message: DecodedPKIMessage): Regions {
  const header = offsetIn(der, message.raw.header);
  const body = offsetIn(der, message.raw.body);
  const bodyEnd = body + message.raw.body.length;
  // protectionAlg: locate the [1] element inside the header by its encoded bytes.
  const algStart = (() => {
    for (let i = header; i < body; i++)
      if (der[i] === 0xa1) {
        const len = der[i + 1]!;
        const inner = der[i + 2];
        if (inner === 0x30 && len < 0x80 && der[i + 3] === len - 2) return i;
      }
    return -1;
  })();
  const algEnd = algStart < 0 ? -1 : algStart + 2 + der[algStart + 1]!;
  // extraCerts follow the protection element [0].
  let protectionEnd = bodyEnd;
  if (der[bodyEnd] === 0xa0) {
    const l = der[bodyEnd + 1]!;
    protectionEnd =
      l < 0x80
        ? bodyEnd + 2 + l
        : bodyEnd + 2 + (l & 0x7f) + [...der.subarray(bodyEnd + 2, bodyEnd + 2 + (l & 0x7f))].reduce((a, b) => a * 256 + b, 0);
  }
  return { header: [header, body], protectionAlg: [algStart, algEnd], body: [body, bodyEnd], extraCerts: [protectionEnd, der.length] };
}

const within = (i: number, [a, b]: [number, number]): boolean => i >= a && i < b;

describe.each(providers)('tampered OpenSSL vectors ($name)', ({ name, crypto }) => {
  it.each(fixtureDir('der/openssl-3.0'))(
    `%s: ${EXHAUSTIVE ? 'every' : 'sampled'} flipped byte is caught`,
    { timeout: EXHAUSTIVE ? 600_000 : 120_000 },
    async (_file, der) => {
      const original = decodePKIMessage(der);
      const regions = regionsOf(der, original);
      expect(regions.protectionAlg[0]).toBeGreaterThan(0);
      const stride = STRIDE[name] ?? 1;
      const offsets: number[] = [];
      for (let i = 0; i < der.length; i++) {
        if (i % stride === 0 || within(i, regions.protectionAlg)) offsets.push(i);
      }
      const outcomes = { derError: 0, badMessageCheck: 0, badAlg: 0, unprotectedRegion: 0 };
      const check = async (i: number): Promise<void> => {
        const tampered = der.slice();
        tampered[i] = tampered[i]! ^ 0x01;
        let message: DecodedPKIMessage;
        try {
          message = decodePKIMessage(tampered);
        } catch (e) {
          expect(isDerError(e), `offset ${i}: ${String(e)}`).toBe(true);
          outcomes.derError++;
          return;
        }
        const result = await verifyProtection(message, { mac: { secret: OPENSSL_SECRET } }, { crypto }).then(
          () => 'verified' as const,
          (e: unknown) => e,
        );
        if (within(i, regions.extraCerts) && regions.extraCerts[0] < der.length) {
          expect(result, `offset ${i} (extraCerts)`).toBe('verified');
          outcomes.unprotectedRegion++;
          return;
        }
        expect(result, `offset ${i}`).toBeInstanceOf(ProtectionError);
        const failInfo = (result as ProtectionError).failInfo;
        if (failInfo.includes('badAlg')) {
          expect(within(i, regions.protectionAlg), `badAlg at offset ${i} outside protectionAlg`).toBe(true);
          outcomes.badAlg++;
        } else {
          expect(failInfo, `offset ${i}`).toEqual(['badMessageCheck']);
          outcomes.badMessageCheck++;
        }
      };
      // Run in batches: WebCrypto work overlaps, the outcome of each offset is independent.
      // Yield between batches: @peculiar/webcrypto works synchronously and would starve vitest's RPC.
      for (let i = 0; i < offsets.length; i += 32) {
        await Promise.all(offsets.slice(i, i + 32).map(check));
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      expect(outcomes.badMessageCheck).toBeGreaterThan(0);
      expect(outcomes.derError + outcomes.badMessageCheck + outcomes.badAlg + outcomes.unprotectedRegion).toBe(offsets.length);
    },
  );
});
