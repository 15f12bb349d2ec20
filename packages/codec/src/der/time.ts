function digits(bytes: Uint8Array, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const c = (bytes[i] as number) - 0x30;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

function toDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): Date | null {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
    return null;
  }
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  date.setUTCFullYear(y);
  if (date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1) return null;
  return date;
}

/**
 * Decodes DER GeneralizedTime contents: `YYYYMMDDHHMMSSZ`, optionally with a fraction of
 * one to three digits and no trailing zero (`.5Z`, `.123Z`). Returns null otherwise.
 * Fractions finer than a millisecond are refused because a Date cannot hold them.
 */
export function decodeGeneralizedTime(bytes: Uint8Array): Date | null {
  const n = bytes.length;
  if (n < 15 || bytes[n - 1] !== 0x5a) return null;
  const y = digits(bytes, 0, 4);
  const mo = digits(bytes, 4, 2);
  const d = digits(bytes, 6, 2);
  const h = digits(bytes, 8, 2);
  const mi = digits(bytes, 10, 2);
  const s = digits(bytes, 12, 2);
  let ms = 0;
  if (n > 15) {
    const fractionDigits = n - 16;
    if (bytes[14] !== 0x2e || fractionDigits < 1 || fractionDigits > 3) return null;
    if (bytes[n - 2] === 0x30) return null;
    const f = digits(bytes, 15, fractionDigits);
    if (f < 0) return null;
    ms = f * 10 ** (3 - fractionDigits);
  }
  return toDate(y, mo, d, h, mi, s, ms);
}

/** Decodes DER UTCTime contents `YYMMDDHHMMSSZ` (years 1950-2049, RFC 5280). */
export function decodeUTCTime(bytes: Uint8Array): Date | null {
  if (bytes.length !== 13 || bytes[12] !== 0x5a) return null;
  const yy = digits(bytes, 0, 2);
  if (yy < 0) return null;
  return toDate(
    yy < 50 ? 2000 + yy : 1900 + yy,
    digits(bytes, 2, 2),
    digits(bytes, 4, 2),
    digits(bytes, 6, 2),
    digits(bytes, 8, 2),
    digits(bytes, 10, 2),
    0,
  );
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** DER GeneralizedTime text for `date` (UTC, milliseconds kept without trailing zeros). */
export function formatGeneralizedTime(date: Date): string {
  const base =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2);
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? `${base}Z` : `${base}.${pad(ms, 3).replace(/0+$/, '')}Z`;
}

/** DER UTCTime text for `date`; null when the year is outside 1950-2049 or there are milliseconds. */
export function formatUTCTime(date: Date): string | null {
  const y = date.getUTCFullYear();
  if (y < 1950 || y > 2049 || date.getUTCMilliseconds() !== 0) return null;
  return (
    pad(y % 100, 2) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2) +
    'Z'
  );
}
