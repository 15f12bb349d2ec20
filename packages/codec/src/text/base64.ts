import { DerError } from '../errors/der-error.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

const ENCODE: Uint8Array = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const PAD = 0x3d; // '='
const ascii = new TextDecoder();
const WHITESPACE = /\s/;

/** Standard base64 (RFC 4648 section 4) with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  // The characters go into one byte array, which becomes one string: no string per character.
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = ENCODE[n >> 18]!;
    out[o++] = ENCODE[(n >> 12) & 63]!;
    out[o++] = ENCODE[(n >> 6) & 63]!;
    out[o++] = ENCODE[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    out[o++] = ENCODE[n >> 18]!;
    out[o++] = ENCODE[(n >> 12) & 63]!;
    out[o++] = rest === 2 ? ENCODE[(n >> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return ascii.decode(out);
}

/**
 * Decodes standard base64; whitespace is ignored, padding is optional. Anything else throws a
 * `DerError` of kind `invalidValue`.
 */
export function decodeBase64(text: string): Uint8Array {
  const clean = WHITESPACE.test(text) ? text.replace(/\s+/g, '') : text;
  let length = clean.length;
  while (length > 0 && clean.charCodeAt(length - 1) === PAD) length--;
  if (length % 4 === 1) throw new DerError('invalidValue', 0, 'base64', 'base64 text has a bad length');
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < length; i++) {
    const c = clean.charCodeAt(i);
    const d = c < 128 ? (DECODE[c] as number) : -1;
    if (d < 0) throw new DerError('invalidValue', i, 'base64', `'${clean[i]}' is not a base64 character`);
    value = ((value << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out;
}
