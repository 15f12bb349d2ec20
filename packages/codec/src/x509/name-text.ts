import { DerReader } from '../der/reader.js';
import { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { DerError } from '../errors/der-error.js';
import { oids } from '../oids.js';
import type { AttributeTypeAndValue, Name } from './name.js';

const SHORT_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['CN', oids.id_at_commonName],
  ['SN', oids.id_at_surname],
  ['serialNumber', oids.id_at_serialNumber],
  ['C', oids.id_at_countryName],
  ['L', oids.id_at_localityName],
  ['ST', oids.id_at_stateOrProvinceName],
  ['street', oids.id_at_streetAddress],
  ['O', oids.id_at_organizationName],
  ['OU', oids.id_at_organizationalUnitName],
  ['title', oids.id_at_title],
  ['GN', oids.id_at_givenName],
  ['DC', oids.id_domainComponent],
  ['UID', oids.id_userId],
  ['emailAddress', oids.id_emailAddress],
];
const OID_BY_SHORT = new Map(SHORT_NAMES.map(([s, o]) => [s.toLowerCase(), o]));
const SHORT_BY_OID = new Map(SHORT_NAMES.map(([s, o]) => [o, s]));
const PRINTABLE_TYPES = new Set<string>([oids.id_at_countryName, oids.id_at_serialNumber]);
const IA5_TYPES = new Set<string>([oids.id_domainComponent, oids.id_emailAddress]);

/** The text of a directory string value, or null when it is not a string type cmpkit reads. */
export function attributeValueText(der: Uint8Array): string | null {
  try {
    const r = DerReader.root(der, 'AttributeValue');
    const tag = r.peekTag();
    let text: string;
    switch (tag) {
      case Tag.UTF8String:
        text = r.utf8String('');
        break;
      case Tag.PrintableString:
      case Tag.IA5String:
      case Tag.VisibleString:
      case Tag.TeletexString:
        text = r.ia5String('', tag);
        break;
      case Tag.BMPString: {
        const b = r.contents(tag, '');
        if (b.length % 2) return null;
        text = '';
        for (let i = 0; i < b.length; i += 2) text += String.fromCharCode(((b[i] as number) << 8) | (b[i + 1] as number));
        break;
      }
      case Tag.UniversalString: {
        const b = r.contents(tag, '');
        if (b.length % 4) return null;
        text = '';
        for (let i = 0; i < b.length; i += 4) {
          const cp = (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;
          if (cp > 0x10ffff) return null;
          text += String.fromCodePoint(cp);
        }
        break;
      }
      default:
        return null;
    }
    r.finish();
    return text;
  } catch {
    return null;
  }
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function escape(text: string): string {
  return text.replace(/[\\/+=]/g, (c) => `\\${c}`);
}

/**
 * A Name as OpenSSL prints it with `-subject`: `/C=DE/O=Example Org/CN=device-0001`. Attributes
 * of a multi-valued RDN are joined by `+`; a value that is not a string is written as `#` and hex
 * DER. The empty Name (NULL-DN) is the empty string.
 */
export function nameToString(name: Name): string {
  let out = '';
  for (const rdn of name) {
    out += '/';
    out += rdn
      .map((atv) => {
        const key = SHORT_BY_OID.get(atv.type) ?? atv.type;
        const text = attributeValueText(atv.value.der);
        return `${key}=${text === null ? `#${hex(atv.value.der)}` : escape(text)}`;
      })
      .join('+');
  }
  return out;
}

function encodeValue(oid: string, text: string): Uint8Array {
  const w = new DerWriter(64);
  if (PRINTABLE_TYPES.has(oid)) w.printableString(text);
  else if (IA5_TYPES.has(oid)) w.ia5String(text);
  else w.utf8String(text);
  return w.finish();
}

function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += c + (text[i + 1] as string);
      i++;
    } else if (c === sep) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * Parses the OpenSSL form `/C=DE/O=Example Org/CN=device-0001` (also `C=DE, O=..., CN=...` is
 * not accepted: use slashes). Keys are short names (CN, O, OU, C, ST, L, SN, GN, DC, UID,
 * emailAddress, serialNumber, street, title) or dotted OIDs. C and serialNumber are written as
 * PrintableString, DC and emailAddress as IA5String, the rest as UTF8String.
 */
export function parseName(text: string): Name {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '/') return [];
  if (!trimmed.startsWith('/')) {
    throw new DerError('invalidValue', 0, 'Name', `name '${text}' must start with '/'`);
  }
  const name: Name = [];
  for (const rdnText of splitUnescaped(trimmed.slice(1), '/')) {
    if (rdnText === '') continue;
    const rdn: AttributeTypeAndValue[] = [];
    for (const atvText of splitUnescaped(rdnText, '+')) {
      const eq = atvText.indexOf('=');
      if (eq <= 0) throw new DerError('invalidValue', 0, 'Name', `'${atvText}' is not KEY=value`);
      const key = atvText.slice(0, eq).trim();
      const oid = OID_BY_SHORT.get(key.toLowerCase()) ?? (/^\d+(\.\d+)+$/.test(key) ? key : undefined);
      if (!oid) throw new DerError('invalidValue', 0, 'Name', `unknown attribute '${key}'`);
      const value = atvText.slice(eq + 1).replace(/\\(.)/g, '$1');
      rdn.push({ type: oid, value: { der: encodeValue(oid, value) } });
    }
    name.push(rdn);
  }
  return name;
}
