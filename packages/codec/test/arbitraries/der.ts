import fc from 'fast-check';

/**
 * A tiny DER encoder for the arbitraries, independent of the codec's DerWriter: it builds opaque
 * values (DerValue, certificates, parameters) and the encodings that decide DER SET OF order.
 */
export function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...contents: readonly (Uint8Array | readonly number[])[]): Uint8Array {
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

export function oidContents(dotted: string): number[] {
  const arcs = dotted.split('.').map(BigInt);
  const enc = (v: bigint): number[] => {
    const out = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) out.unshift(Number(v & 0x7fn) | 0x80);
    return out;
  };
  return [...enc(arcs[0]! * 40n + arcs[1]!), ...arcs.slice(2).flatMap(enc)];
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Bytes of any length up to `maxLength`. */
export const bytes = (maxLength = 24): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

/** A dotted OBJECT IDENTIFIER, with arcs from small to beyond 2^53. */
export const anyOid: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(0, 1, 2),
    fc.nat({ max: 39 }),
    fc.integer({ min: 40, max: 1000 }),
    fc.array(fc.oneof(fc.nat({ max: 127 }).map(String), fc.nat().map(String), fc.bigInt({ min: 0n, max: (1n << 80n) - 1n }).map(String)), {
      maxLength: 6,
    }),
  )
  .map(([a, b, big, rest]) => [a, a === 2 ? big : b, ...rest].join('.'));

/** An OID under the private arc 1.3.6.1.4.1.99999 (never a type the codec decodes specially). */
export const privateOid: fc.Arbitrary<string> = fc
  .array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 4 })
  .map((arcs) => `1.3.6.1.4.1.99999.${arcs.join('.')}`);

/** One complete DER element with opaque contents (what DerValue fields hold). */
export const derElement: fc.Arbitrary<Uint8Array> = fc.letrec<{ el: Uint8Array }>((tie) => ({
  el: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(fc.constantFrom(0x02, 0x04, 0x0c, 0x13, 0x16, 0x80, 0x81, 0x85), bytes(16))
      .map(([t, b]) => tlv(t, t === 0x02 && b.length === 0 ? [0] : b)),
    fc.constant(tlv(0x05)),
    anyOid.map((o) => tlv(0x06, oidContents(o))),
    fc.tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa3), fc.array(tie('el'), { maxLength: 3 })).map(([t, kids]) => tlv(t, ...kids)),
  ),
})).el;

/** A complete DER SEQUENCE (certificates, CRLs, CMS structures, PKCS #10 are kept as such). */
export const derSequence: fc.Arbitrary<Uint8Array> = fc.array(derElement, { maxLength: 3 }).map((kids) => tlv(0x30, ...kids));

export const derValue = derElement.map((der) => ({ der }));
export const derSequenceValue = derSequence.map((der) => ({ der }));

/** A JavaScript safe integer (the codec's `number` INTEGERs). */
export const safeInt: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -300, max: 300 }),
  fc.integer(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 47, -(2 ** 47), 2 ** 48, -(2 ** 48) - 1),
);

export const anyBigInt: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }),
);

/** Well-formed Unicode text (no lone surrogates: UTF-8 cannot carry them). */
export const text = (maxLength = 12): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength });
export const ascii = (maxLength = 16): fc.Arbitrary<string> => fc.string({ unit: 'binary-ascii', maxLength });

/** A Date a GeneralizedTime holds exactly: years 0000-9999, millisecond precision. */
export const generalizedDate: fc.Arbitrary<Date> = fc.date({
  min: new Date('0000-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});

/** A Date a UTCTime holds exactly: years 1950-2049, whole seconds. */
export const utcDate: fc.Arbitrary<Date> = fc
  .integer({ min: Date.UTC(1950, 0, 1) / 1000, max: Date.UTC(2049, 11, 31, 23, 59, 59) / 1000 })
  .map((s) => new Date(s * 1000));
