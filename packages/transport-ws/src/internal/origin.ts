/** Applies an origin check to a handshake's `Origin` header; a check that throws refuses. */
export function allowed(check: (origin: string | undefined) => boolean, header: string | string[] | undefined): boolean {
  try {
    return check(typeof header === 'string' ? header : undefined) === true;
  } catch {
    return false;
  }
}
