const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * True when `name` is a DNS host name in preferred name syntax (RFC 1034 section 3.5 as relaxed
 * by RFC 1123: letters, digits, hyphens; labels of 1 to 63 characters; at most 253 characters),
 * optionally with a leading `*` label when `wildcard` is true.
 */
export function isDnsName(name: string, wildcard: boolean): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.toLowerCase().split('.');
  if (labels[0] === '*') {
    if (!wildcard || labels.length < 3) return false;
    labels.shift();
  }
  return labels.every((l) => LABEL.test(l));
}

/** A DNS pattern of a profile: an exact name, or `*.suffix` for any name below suffix. */
export type DnsPattern = { exact: string } | { suffix: string };

/** Parses a profile's DNS pattern, or null when it is not one. */
export function parseDnsPattern(pattern: string): DnsPattern | null {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) {
    const rest = p.slice(2);
    return isDnsName(rest, false) ? { suffix: `.${rest}` } : null;
  }
  return isDnsName(p, false) ? { exact: p } : null;
}

/** True when `name` (already checked with {@link isDnsName}) matches one of `patterns`. */
export function matchesDnsPattern(name: string, patterns: readonly DnsPattern[]): boolean {
  const n = name.toLowerCase();
  return patterns.some((p) => ('exact' in p ? n === p.exact : n.endsWith(p.suffix) && n.length > p.suffix.length));
}
