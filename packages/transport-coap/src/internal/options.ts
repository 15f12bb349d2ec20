/** CoAP option numbers cmpkit reads or writes (RFC 7252, 7641, 7959, 8323, 9175). */
export const Option = {
  ifMatch: 1,
  uriHost: 3,
  eTag: 4,
  ifNoneMatch: 5,
  observe: 6,
  uriPort: 7,
  locationPath: 8,
  uriPath: 11,
  contentFormat: 12,
  maxAge: 14,
  uriQuery: 15,
  hopLimit: 16,
  accept: 17,
  locationQuery: 20,
  block2: 23,
  block1: 27,
  size2: 28,
  proxyUri: 35,
  proxyScheme: 39,
  size1: 60,
  echo: 252,
  noResponse: 258,
  requestTag: 292,
} as const;

/** Options of signaling messages (RFC 8323 section 5): their numbers depend on the code. */
export const SignalOption = {
  /** 7.01: the largest message the sender accepts. */
  maxMessageSize: 2,
  /** 7.01: the sender supports block-wise transfer (and BERT). */
  blockWiseTransfer: 4,
  /** 7.02/7.03. */
  custody: 2,
  /** 7.05. */
  badCsmOption: 2,
} as const;

/** One option as it is on the wire: its number and its value's octets. */
export interface CoapOption {
  number: number;
  value: Uint8Array;
}

/** A critical option must be understood (odd numbers, RFC 7252 section 5.4.1). */
export function isCritical(number: number): boolean {
  return (number & 1) === 1;
}

/** A `uint` option value: the shortest big-endian octets (0 is empty). */
export function encodeUint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`coap: not an option uint: ${value}`);
  const out: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) out.unshift(rest % 256);
  return new Uint8Array(out);
}

/** Reads a `uint` option value of at most 4 octets; undefined when longer. */
export function decodeUint(value: Uint8Array): number | undefined {
  if (value.byteLength > 4) return undefined;
  let n = 0;
  for (const octet of value) n = n * 256 + octet;
  return n;
}

/** The first option with `number`, if any. */
export function optionValue(options: readonly CoapOption[], number: number): Uint8Array | undefined {
  return options.find((o) => o.number === number)?.value;
}

/** The first option with `number` as a uint; undefined when absent or longer than 4 octets. */
export function optionUint(options: readonly CoapOption[], number: number): number | undefined {
  const value = optionValue(options, number);
  return value === undefined ? undefined : decodeUint(value);
}

/** The Uri-Path segments, decoded as UTF-8 (invalid UTF-8 gives U+FFFD, which matches no resource). */
export function uriPath(options: readonly CoapOption[]): string[] {
  const decoder = new TextDecoder();
  return options.filter((o) => o.number === Option.uriPath).map((o) => decoder.decode(o.value));
}

/** Uri-Path options for `/a/b/c` (empty segments dropped). */
export function uriPathOptions(path: string): CoapOption[] {
  const encoder = new TextEncoder();
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => ({ number: Option.uriPath, value: encoder.encode(decodeURIComponent(segment)) }));
}
