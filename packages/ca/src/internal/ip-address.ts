import { parseIpAddress } from '../ip-address.js';

/** A CIDR range: the address bytes and the prefix length in bits. */
export interface IpRange {
  address: Uint8Array;
  prefix: number;
}

/** Parses `10.0.0.0/8` or `2001:db8::/32` (a bare address is a single-address range), or null. */
export function parseIpRange(text: string): IpRange | null {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return null;
  const address = parseIpAddress(addr);
  if (!address) return null;
  const bits = address.length * 8;
  if (len === undefined) return { address, prefix: bits };
  if (!/^(0|[1-9]\d{0,2})$/.test(len) || Number(len) > bits) return null;
  return { address, prefix: Number(len) };
}

/** True when the address bytes `ip` lie in `range`. */
export function inIpRange(ip: Uint8Array, range: IpRange): boolean {
  if (ip.length !== range.address.length) return false;
  for (let bit = 0; bit < range.prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((ip[byte] as number) & mask) !== ((range.address[byte] as number) & mask)) return false;
  }
  return true;
}
