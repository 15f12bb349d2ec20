import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeName,
  decodePKIMessage,
  decodePKIMessages,
  encodePKIMessage,
  isDerError,
  type DecodeOptions,
  type DerError,
} from '../../src/index.js';
import { fixture } from '../fixtures.js';
import { checkInput, failureSummary, newReport } from '../helpers/robust.js';

/** The DerError `f` throws (fails the test if it throws anything else or nothing). */
function derErrorOf(f: () => unknown): DerError {
  try {
    f();
  } catch (e) {
    if (isDerError(e)) return e;
    throw new Error(`expected a DerError, got ${String(e)}`);
  }
  throw new Error('expected a DerError, but it decoded');
}

function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/** `depth` SEQUENCEs nested in each other, the innermost empty, built without recursion. */
function nestedSequences(depth: number, tag = 0x30): Uint8Array {
  const sizes = new Array<number>(depth + 1);
  sizes[depth] = 0;
  for (let i = depth - 1; i >= 0; i--) sizes[i] = 1 + lengthOctets(sizes[i + 1]!).length + sizes[i + 1]!;
  const out = new Uint8Array(sizes[0]!);
  let p = 0;
  for (let i = 0; i < depth; i++) {
    out[p++] = tag;
    for (const b of lengthOctets(sizes[i + 1]!)) out[p++] = b;
  }
  return out;
}

function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const size = contents.reduce((n, c) => n + c.length, 0);
  const head = [tag, ...lengthOctets(size)];
  const out = new Uint8Array(head.length + size);
  out.set(head);
  let p = head.length;
  for (const c of contents) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

const popdecr = fixture('der/bodies/popdecr.der'); // hdr_min, 37 bytes
const minimalHeader = popdecr.subarray(2, 2 + 2 + popdecr[3]!);

/** PKIMessages nested `levels` deep through `nested` bodies around popdecr.der. */
function nestedMessages(levels: number): Uint8Array {
  let inner: Uint8Array = popdecr;
  for (let i = 0; i < levels; i++) inner = tlv(0x30, minimalHeader, tlv(0xb4, tlv(0x30, inner)));
  return inner;
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, performance.now() - t0];
}

describe('decoder limits and hostile structure', () => {
  it('100 000 nested SEQUENCEs: a DerError at the first field that is not a SEQUENCE, fast', () => {
    const deep = nestedSequences(100_000);
    expect(deep.length).toBeLessThan(1 << 20);
    const [e, ms] = timed(() => derErrorOf(() => decodePKIMessage(deep)));
    expect([e.kind, e.offset, e.path]).toEqual(['unexpectedTag', 10, 'PKIMessage.header.pvno']);
    expect(ms).toBeLessThan(500);
    expect(derErrorOf(() => decodeName(deep)).kind).toBe('unexpectedTag');
    expect(derErrorOf(() => decodePKIMessages(deep)).path).toBe('PKIMessages[0].header.pvno');
  });

  it('100 000 nested SEQUENCEs with maxBytes below the input size: sizeExceeded at offset 0', () => {
    const e = derErrorOf(() => decodePKIMessage(nestedSequences(100_000), { maxBytes: 1000 }));
    expect([e.kind, e.offset, e.path]).toEqual(['sizeExceeded', 0, 'PKIMessage']);
  });

  it('PKIMessages nested through `nested` bodies: depthExceeded at the default maxDepth 64', () => {
    const bytes = nestedMessages(100);
    const e = derErrorOf(() => decodePKIMessage(bytes));
    expect(e.kind).toBe('depthExceeded');
    expect(e.path).toMatch(/^PKIMessage(\.body\.nested\[0\])+/);
    // each level is SEQUENCE, [20] and SEQUENCE OF: three levels of depth
    expect(e.path.split('.body.nested[0]').length - 1).toBe(21);
    expect(decodePKIMessage(nestedMessages(20)).body.type).toBe('nested');
  });

  it('even with maxDepth: 1e9, NaN or Infinity, 3000 nested messages end in depthExceeded, not a stack overflow', () => {
    const bytes = nestedMessages(3000);
    for (const maxDepth of [1e9, Number.POSITIVE_INFINITY, Number.NaN]) {
      const options: DecodeOptions = { maxDepth, maxBytes: 1 << 24, maxElements: 1e9 };
      const [e, ms] = timed(() => derErrorOf(() => decodePKIMessage(bytes, options)));
      expect(e.kind).toBe('depthExceeded');
      expect(ms).toBeLessThan(1000);
    }
    // 300 levels (depth 900) are within the hard limit of 1000 and decode losslessly
    const ok = nestedMessages(300);
    expect(encodePKIMessage(decodePKIMessage(ok, { maxDepth: 1e9 }))).toEqual(ok);
  });

  it.each([
    {
      name: '4-octet length 0xFFFFFFFF',
      bytes: [0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x02],
      kind: 'truncated',
    },
    {
      name: '4-octet length 0x7FFFFFFF',
      bytes: [0x30, 0x84, 0x7f, 0xff, 0xff, 0xff],
      kind: 'truncated',
    },
    {
      name: '5-octet length',
      bytes: [0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00],
      kind: 'lengthTooLarge',
    },
    {
      name: '127-octet length',
      bytes: [0x30, 0xff, ...new Array<number>(127).fill(0xff)],
      kind: 'lengthTooLarge',
    },
    { name: 'length octets cut off', bytes: [0x30, 0x82, 0x01], kind: 'truncated' },
  ])('huge declared length ($name): $kind at offset 0', ({ bytes, kind }) => {
    const e = derErrorOf(() => decodePKIMessage(Uint8Array.from(bytes)));
    expect([e.kind, e.offset]).toEqual([kind, 0]);
  });

  it('huge declared length deep inside a real message: truncated, at that element', () => {
    const ir = fixture('der/openssl-3.0/ir.der');
    // 30 82 02 6c | 30 82 01 08 (header) | 02 01 02 (pvno) | a4 3b (sender at offset 11)
    expect(Array.from(ir.subarray(11, 13))).toEqual([0xa4, 0x3b]);
    // the sender claims 2^32-1 bytes of contents
    const patched = new Uint8Array([...ir.subarray(0, 12), 0x84, 0xff, 0xff, 0xff, 0xff, ...ir.subarray(13)]);
    const e = derErrorOf(() => decodePKIMessage(patched));
    expect([e.kind, e.offset, e.path]).toEqual(['truncated', 11, 'PKIMessage.header.sender']);
  });

  it('maxBytes: the input size limit, inclusive', () => {
    const der = fixture('der/openssl-3.0/ip.der');
    expect(decodePKIMessage(der, { maxBytes: der.length }).body.type).toBe('ip');
    const e = derErrorOf(() => decodePKIMessage(der, { maxBytes: der.length - 1 }));
    expect([e.kind, e.offset, e.path]).toEqual(['sizeExceeded', 0, 'PKIMessage']);
    // the default is 1 MiB
    const big = new Uint8Array((1 << 20) + 1);
    expect(derErrorOf(() => decodePKIMessage(big)).kind).toBe('sizeExceeded');
  });

  it('maxElements: counts every element read; exceeding it is countExceeded', () => {
    const der = fixture('der/openssl-3.0/pkiConf.der');
    let needed = 0;
    for (let n = 1; n < 200; n++) {
      try {
        decodePKIMessage(der, { maxElements: n });
        needed = n;
        break;
      } catch (e) {
        expect(isDerError(e) && e.kind).toBe('countExceeded');
      }
    }
    expect(needed).toBeGreaterThan(10);
    const e = derErrorOf(() => decodePKIMessage(der, { maxElements: needed - 1 }));
    expect(e.kind).toBe('countExceeded');
    expect(e.offset).toBeGreaterThan(0);
  });

  it('a SEQUENCE OF with more items than maxElements: countExceeded, quickly', () => {
    // popdecr with 200 000 INTEGERs: SEQUENCE OF INTEGER inside [6]
    const ints = new Uint8Array(200_000 * 3);
    for (let i = 0; i < ints.length; i += 3) ints.set([2, 1, 7], i);
    const bytes = tlv(0x30, minimalHeader, tlv(0xa6, tlv(0x30, ints)));
    const [e, ms] = timed(() => derErrorOf(() => decodePKIMessage(bytes)));
    expect(e.kind).toBe('countExceeded');
    expect(ms).toBeLessThan(1000);
    expect(decodePKIMessage(bytes, { maxElements: 300_000 }).body.type).toBe('popdecr');
  });

  it('input that is not a Uint8Array: invalidValue, not a TypeError', () => {
    for (const input of [null, undefined, 'MAA=', [0x30, 0], new ArrayBuffer(2), 42]) {
      const e = derErrorOf(() => decodePKIMessage(input as unknown as Uint8Array));
      expect([e.kind, e.offset]).toEqual(['invalidValue', 0]);
    }
  });
});

describe('random input (fast-check, fixed seed)', () => {
  it('random bytes: DerError or lossless', () => {
    const report = newReport();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        checkInput(report, `random ${Buffer.from(bytes).toString('hex')}`, bytes);
        return report.failures.length === 0;
      }),
      { seed: 0x5eed, numRuns: 3000 },
    );
    expect(report.failures, failureSummary(report)).toEqual([]);
  });

  it('random bytes behind a plausible PKIMessage prefix: DerError or lossless', () => {
    const report = newReport();
    const prefix = fixture('der/openssl-3.0/genm.der');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: prefix.length }), fc.uint8Array({ maxLength: 64 }), (cut, tail) => {
        const bytes = new Uint8Array(cut + tail.length);
        bytes.set(prefix.subarray(0, cut));
        bytes.set(tail, cut);
        checkInput(report, `prefix ${cut} + ${Buffer.from(tail).toString('hex')}`, bytes);
        return report.failures.length === 0;
      }),
      { seed: 0xc0ffee, numRuns: 3000 },
    );
    expect(report.failures, failureSummary(report)).toEqual([]);
  });

  it('random well-formed TLV trees: DerError or lossless', () => {
    const report = newReport();
    const leaf = fc
      .tuple(
        fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x16, 0x17, 0x18, 0x80, 0x81, 0x82, 0x87, 0x88),
        fc.uint8Array({ maxLength: 12 }),
      )
      .map(([tag, body]) => tlv(tag, body));
    const { tree } = fc.letrec<{ tree: Uint8Array }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc
          .tuple(
            fc.constantFrom(0x30, 0x31, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa8, 0xb4, 0xb5, 0xb7, 0xb8),
            fc.array(tie('tree'), { maxLength: 4 }),
          )
          .map(([tag, kids]) => tlv(tag, ...kids)),
      ),
    }));
    fc.assert(
      fc.property(tree, (bytes) => {
        checkInput(report, `tree ${Buffer.from(bytes).toString('hex')}`, bytes);
        return report.failures.length === 0;
      }),
      { seed: 20261127, numRuns: 3000 },
    );
    expect(report.failures, failureSummary(report)).toEqual([]);
  });
});
