import { nameToString, type GeneralName, type InfoTypeAndValue } from '../../src/index.js';

/** A GeneralName as text: directoryName in OpenSSL's `/C=DE/...` form, others as `type:value`. */
export function generalNameText(name: GeneralName): string {
  if (name.type === 'directoryName') return nameToString(name.value);
  const v = name.value;
  return `${name.type}:${typeof v === 'string' ? v : Buffer.from(v).toString('hex')}`;
}

/**
 * The OID of an InfoTypeAndValue whatever its representation: `infoType` for unknown types,
 * else the `type` name (typed values for the id-it types are being introduced separately).
 */
export function itavType(itav: InfoTypeAndValue): string {
  const loose = itav as { type: string; infoType?: string };
  return loose.infoType ?? loose.type;
}

/** Narrows a PKIBody to one alternative, failing the test otherwise. */
export function bodyOf<T extends { type: string }, K extends T['type']>(body: T, type: K): Extract<T, { type: K }> {
  if (body.type !== type) throw new Error(`expected a ${type} body, got ${body.type}`);
  return body as Extract<T, { type: K }>;
}
