import { attributeValueText, type AttributeTypeAndValue, type Name } from '@cmpkit/codec';
import { equalBytes } from '../internal/bytes.js';

function normalized(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function attributeEqual(a: AttributeTypeAndValue, b: AttributeTypeAndValue): boolean {
  if (a.type !== b.type) return false;
  if (equalBytes(a.value.der, b.value.der)) return true;
  const ta = attributeValueText(a.value.der);
  const tb = attributeValueText(b.value.der);
  return ta !== null && tb !== null && normalized(ta) === normalized(tb);
}

/**
 * Distinguished name equality after RFC 5280 section 7.1 in simplified form: the same RDNs in
 * the same order, each the same set of attribute types, values equal as DER or, for directory
 * strings, after case folding and whitespace compression (so UTF8String and PrintableString of
 * the same text match).
 */
export function nameEqual(a: Name, b: Name): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const ra = a[i] as AttributeTypeAndValue[];
    const rb = b[i] as AttributeTypeAndValue[];
    if (ra.length !== rb.length) return false;
    if (!ra.every((x) => rb.some((y) => attributeEqual(x, y)))) return false;
  }
  return true;
}
