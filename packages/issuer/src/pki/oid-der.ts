/** The DER encoding of an OBJECT IDENTIFIER (tag 06), e.g. for AlgorithmIdentifier parameters. */
export function oidDer(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [first = 0n, second = 0n, ...rest] = arcs;
  const body: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    body.push(...chunk);
  }
  return Uint8Array.of(0x06, body.length, ...body);
}
