const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * A DER Time for `date` (whole seconds): UTCTime through 2049, GeneralizedTime from 2050, as RFC
 * 5280 section 4.1.2.5 requires.
 */
export function timeDer(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  const utc = year >= 1950 && year < 2050;
  const text = utc ? `${pad(year % 100)}${rest}` : `${pad(year, 4)}${rest}`;
  const out = new Uint8Array(2 + text.length);
  out[0] = utc ? 0x17 : 0x18;
  out[1] = text.length;
  for (let i = 0; i < text.length; i++) out[2 + i] = text.charCodeAt(i);
  return out;
}
