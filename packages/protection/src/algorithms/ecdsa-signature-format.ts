import { concat } from '../internal/bytes.js';
import { childrenOf, contentBytes, encodeTlv, encodeUnsignedInteger, readSingle } from '../internal/der.js';

/**
 * The DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480 / RFC 3279) of a
 * WebCrypto ECDSA signature, which is `r || s` with each half as long as the curve order.
 */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return encodeTlv(0x30, encodeUnsignedInteger(raw.subarray(0, half)), encodeUnsignedInteger(raw.subarray(half)));
}

function integerMagnitude(content: Uint8Array, size: number): Uint8Array | null {
  if (content.length === 0) return null;
  const first = content[0] as number;
  if (first & 0x80) return null; // negative
  if (content.length > 1 && first === 0 && ((content[1] as number) & 0x80) === 0) return null; // non-minimal
  const magnitude = first === 0 && content.length > 1 ? content.subarray(1) : content;
  if (magnitude.length > size) return null;
  const out = new Uint8Array(size);
  out.set(magnitude, size - magnitude.length);
  return out;
}

/**
 * The WebCrypto form (`r || s`, `size` bytes each) of a DER ECDSA-Sig-Value, or null when the
 * bytes are not a strict DER signature whose integers fit the curve.
 */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array | null {
  try {
    const seq = readSingle(der, 'ECDSA-Sig-Value', 0x30);
    const parts = childrenOf(der, seq, 'ECDSA-Sig-Value');
    if (parts.length !== 2 || parts.some((p) => p.tag !== 0x02)) return null;
    const r = integerMagnitude(contentBytes(der, parts[0]!), size);
    const s = integerMagnitude(contentBytes(der, parts[1]!), size);
    return r && s ? concat(r, s) : null;
  } catch {
    return null;
  }
}
