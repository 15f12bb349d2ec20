/** The text form of a serial number everywhere in the server: lowercase hex, no leading zeros. */
export function serialHex(serial: bigint): string {
  return serial.toString(16);
}

/**
 * Reads a serial number as an operator types it: hex with or without `0x`, colons or spaces
 * (`01:A2:...` as `openssl x509 -serial` or a browser shows it), any case.
 *
 * @throws Error when the text is not hex.
 */
export function parseSerial(text: string): bigint {
  const hex = text.trim().replace(/^0x/i, '').replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new Error(`server: '${text}' is not a hexadecimal serial number`);
  return BigInt(`0x${hex}`);
}

/** The serial number in the DER bytes of a certificate's INTEGER (two's complement, positive). */
export function serialFromBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}
