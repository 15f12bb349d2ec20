import { IssuanceError } from '../errors/issuance-error.js';
import { bigintOf } from './der.js';

/**
 * A random positive 128-bit serial number: 16 bytes from `getRandomValues` with the top bit
 * cleared (positive) and the next bit set, so the DER INTEGER is always exactly 16 octets and
 * carries 126 random bits (RFC 5280 section 4.1.2.2 allows up to 20 octets).
 */
export function randomSerialNumber(crypto: Crypto): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] as number) & 0x3f) | 0x40;
  return bigintOf(bytes);
}

const MAX_SERIAL = (1n << 159n) - 1n;

/** Refuses a serial number RFC 5280 does not allow: not positive or longer than 20 octets. */
export function checkSerialNumber(serialNumber: bigint, what = 'serial number'): bigint {
  if (serialNumber <= 0n || serialNumber > MAX_SERIAL) {
    throw new IssuanceError('badRequest', `the ${what} must be positive and at most 20 octets long`);
  }
  return serialNumber;
}
