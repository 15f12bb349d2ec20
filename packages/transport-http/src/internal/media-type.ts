/** The media type of a DER PKIMessage on HTTP (RFC 9811 section 3.4). */
export const PKIXCMP = 'application/pkixcmp';

/** True when a `Content-Type` value names `application/pkixcmp` (any case, parameters ignored). */
export function isPkixCmp(contentType: string | null | undefined): boolean {
  if (contentType === null || contentType === undefined) return false;
  const essence = contentType.split(';', 1)[0] ?? '';
  return essence.trim().toLowerCase() === PKIXCMP;
}
