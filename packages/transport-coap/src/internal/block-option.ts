import { decodeUint, encodeUint } from './options.js';

/** The value of a Block1 or Block2 option (RFC 7959 section 2.2; SZX 7 is BERT, RFC 8323 section 6). */
export interface BlockValue {
  /** The block number. */
  num: number;
  /** More blocks follow. */
  more: boolean;
  /** Size exponent: the block size is 2^(szx+4) octets; 7 (BERT) means 1024-octet units, several per message. */
  szx: number;
}

/** The largest block number that fits the 20 bits of a 3-octet option. */
export const MAX_BLOCK_NUM = 0xfffff;
/** SZX of BERT (RFC 8323 section 6): blocks of 1024 octets, any multiple of them per message. */
export const BERT_SZX = 7;

/** The octets one block unit stands for (BERT counts in 1024-octet units). */
export function blockSize(szx: number): number {
  return 1 << (Math.min(szx, 6) + 4);
}

/** The SZX of a block size of 16..1024 octets (a power of two). */
export function szxOf(size: number): number {
  const szx = Math.log2(size) - 4;
  if (!Number.isInteger(szx) || szx < 0 || szx > 6)
    throw new RangeError(`coap: a block size must be a power of two from 16 to 1024: ${size}`);
  return szx;
}

export function encodeBlock(block: BlockValue): Uint8Array {
  return encodeUint(block.num * 16 + (block.more ? 8 : 0) + block.szx);
}

/** Decodes a Block option; undefined when malformed (longer than 3 octets). */
export function decodeBlock(value: Uint8Array): BlockValue | undefined {
  if (value.byteLength > 3) return undefined;
  const n = decodeUint(value)!;
  return { num: Math.floor(n / 16), more: (n & 8) !== 0, szx: n & 7 };
}
