import type { GeneralName, Name } from '@cmpkit/codec';

/** The NULL-DN sender or recipient (RFC 9810 5.1.1: an empty directoryName). */
export const NULL_DN: GeneralName = Object.freeze({ type: 'directoryName', value: [] }) as GeneralName;

/** A directoryName GeneralName for `name`. */
export function directoryName(name: Name): GeneralName {
  return { type: 'directoryName', value: name };
}

/** True for the NULL-DN. */
export function isNullDn(name: GeneralName): boolean {
  return name.type === 'directoryName' && name.value.length === 0;
}

/** Structural equality of two GeneralNames (names compared attribute by attribute, DER values exactly). */
export function generalNamesEqual(a: GeneralName, b: GeneralName): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'directoryName' && b.type === 'directoryName') return namesEqual(a.value, b.value);
  const av = a.value as unknown;
  const bv = b.value as unknown;
  if (av instanceof Uint8Array && bv instanceof Uint8Array) {
    return av.length === bv.length && av.every((x, i) => x === bv[i]);
  }
  return av === bv;
}

/** Exact equality of two Names (same RDNs, same types, same DER values). */
export function namesEqual(a: Name, b: Name): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const ra = a[i]!;
    const rb = b[i]!;
    if (ra.length !== rb.length) return false;
    for (let j = 0; j < ra.length; j++) {
      const x = ra[j]!;
      const y = rb[j]!;
      if (x.type !== y.type || x.value.der.length !== y.value.der.length) return false;
      if (!x.value.der.every((v, k) => v === y.value.der[k])) return false;
    }
  }
  return true;
}
