import { IssuanceError } from '../errors/issuance-error.js';
import { readTlv } from './der.js';

/** The ASN.1 character string types a CA writes into names (universal tag numbers). */
export const StringTag = {
  UTF8String: 0x0c,
  PrintableString: 0x13,
  IA5String: 0x16,
} as const;

/** One of {@link StringTag}'s types, by name. */
export type StringTypeName = keyof typeof StringTag;

const NAME_BY_TAG = new Map<number, string>([
  [0x0c, 'UTF8String'],
  [0x12, 'NumericString'],
  [0x13, 'PrintableString'],
  [0x14, 'TeletexString'],
  [0x16, 'IA5String'],
  [0x1a, 'VisibleString'],
  [0x1c, 'UniversalString'],
  [0x1e, 'BMPString'],
]);

/** PrintableString's alphabet (X.680 section 41.4). */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function refuse(why: string): never {
  throw new IssuanceError('badCertTemplate', why);
}

/** Code points of C0 and C1 controls and DEL: never in a name this CA signs. */
function hasControl(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return true;
  }
  return false;
}

/** The text of a string's contents, or null when they are not valid for its type. */
function textOf(tag: number, contents: Uint8Array): string | null {
  if (tag === StringTag.UTF8String) {
    try {
      return utf8.decode(contents);
    } catch {
      return null;
    }
  }
  let text = '';
  for (const b of contents) {
    if (b > 0x7f) return null;
    text += String.fromCharCode(b);
  }
  if (tag === StringTag.PrintableString && !PRINTABLE.test(text)) return null;
  return text;
}

/** What a string value in a name must be. */
export interface StringRule {
  /** The string types accepted. */
  types: readonly StringTypeName[];
  /** Most characters (code points). */
  maxLength: number;
  /** Fewest characters; default 1 (every SIZE of RFC 5280's names starts at 1). */
  minLength?: number;
}

/**
 * Checks that `der` is exactly one DER character string of a type `rule` allows, whose contents
 * are valid for the type (valid UTF-8, PrintableString's alphabet, 7-bit IA5), hold no control
 * characters, and whose length is within the rule's bounds. Returns its text.
 *
 * @throws IssuanceError badCertTemplate, naming `what` (e.g. `the subject's commonName`).
 */
export function checkCharacterString(der: Uint8Array, rule: StringRule, what: string): string {
  const tlv = readTlv(der, 0);
  if (!tlv || tlv.end !== der.length) return refuse(`${what} is not one DER value`);
  const accepted = rule.types.map((t) => StringTag[t]) as number[];
  if (!accepted.includes(tlv.tag)) {
    const found = NAME_BY_TAG.get(tlv.tag);
    return refuse(`${what} must be ${rule.types.join(' or ')}, not ${found ?? 'a non-string value'}`);
  }
  const text = textOf(tlv.tag, tlv.contents);
  if (text === null) return refuse(`${what} is not a valid ${NAME_BY_TAG.get(tlv.tag)}`);
  if (hasControl(text)) refuse(`${what} contains control characters`);
  let length = 0;
  for (const _ of text) length++;
  const min = rule.minLength ?? 1;
  if (length < min) refuse(`${what} is ${length === 0 ? 'empty' : `shorter than ${min} characters`}`);
  if (length > rule.maxLength) refuse(`${what} is longer than ${rule.maxLength} characters`);
  return text;
}
