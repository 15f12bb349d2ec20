/** Universal tags as single identifier octets (class, constructed bit and number). */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  ENUMERATED: 0x0a,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Identifier octet of a context-specific constructed tag `[n]` (EXPLICIT, or IMPLICIT of a constructed type). */
export function contextConstructed(n: number): number {
  return 0xa0 | n;
}

/** Identifier octet of a context-specific primitive tag `[n]` (IMPLICIT of a primitive type). */
export function contextPrimitive(n: number): number {
  return 0x80 | n;
}

/** A readable name for an identifier octet, for error messages. */
export function describeTag(tag: number): string {
  const cls = tag >> 6;
  const constructed = (tag & 0x20) !== 0;
  const n = tag & 0x1f;
  if (cls === 2) return `[${n}]${constructed ? ' constructed' : ''}`;
  if (cls === 0) {
    for (const [name, value] of Object.entries(Tag)) if (value === tag) return name;
    return `universal ${n}${constructed ? ' constructed' : ''}`;
  }
  return `${cls === 1 ? 'application' : 'private'} ${n}${constructed ? ' constructed' : ''}`;
}
