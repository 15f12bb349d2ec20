import { oids } from '@cmpkit/codec';
import type { StringRule } from './character-string.js';

/** An attribute type of distinguished names and the rule for its values. */
export interface AttributeTypeRule extends StringRule {
  /** Its name, for messages. */
  name: string;
  /** A further check of the text (countryName's two letters); returns why it fails, or null. */
  check?: (text: string) => string | null;
}

/**
 * RFC 5280 section 4.1.2.4 requires conforming CAs to write DirectoryString as PrintableString or
 * UTF8String (TeletexString, BMPString and UniversalString only for names carried over from
 * older certificates), so those are the two accepted.
 */
const DIRECTORY_STRING = ['PrintableString', 'UTF8String'] as const;

const twoLetters = (text: string): string | null => (/^[A-Za-z]{2}$/.test(text) ? null : 'must be a two-letter ISO 3166 code');

function directoryString(name: string, maxLength: number): AttributeTypeRule {
  return { name, types: DIRECTORY_STRING, maxLength };
}

/**
 * The attribute types a CA accepts in a requested name, with the value syntax and upper bound of
 * each: RFC 5280 Appendix A.1 (the X.520 upper bounds `ub-*`), RFC 4519 for uid and
 * domainComponent, PKCS #9 (RFC 2985) for emailAddress and unstructuredName, and the
 * CA/Browser Forum's jurisdiction attributes. Bounds count characters.
 */
export const ATTRIBUTE_TYPES: ReadonlyMap<string, AttributeTypeRule> = new Map<string, AttributeTypeRule>([
  [oids.id_at_commonName, directoryString('commonName', 64)],
  [oids.id_at_surname, directoryString('surname', 32768)],
  [oids.id_at_serialNumber, { name: 'serialNumber', types: ['PrintableString'], maxLength: 64 }],
  [oids.id_at_countryName, { name: 'countryName', types: ['PrintableString'], minLength: 2, maxLength: 2, check: twoLetters }],
  [oids.id_at_localityName, directoryString('localityName', 128)],
  [oids.id_at_stateOrProvinceName, directoryString('stateOrProvinceName', 128)],
  [oids.id_at_streetAddress, directoryString('streetAddress', 128)],
  [oids.id_at_organizationName, directoryString('organizationName', 64)],
  [oids.id_at_organizationalUnitName, directoryString('organizationalUnitName', 64)],
  [oids.id_at_title, directoryString('title', 64)],
  ['2.5.4.13', directoryString('description', 1024)],
  ['2.5.4.15', directoryString('businessCategory', 128)],
  ['2.5.4.17', directoryString('postalCode', 40)],
  ['2.5.4.41', directoryString('name', 32768)],
  [oids.id_at_givenName, directoryString('givenName', 32768)],
  ['2.5.4.43', directoryString('initials', 32768)],
  ['2.5.4.44', directoryString('generationQualifier', 32768)],
  ['2.5.4.46', { name: 'dnQualifier', types: ['PrintableString'], maxLength: 1024 }],
  ['2.5.4.65', directoryString('pseudonym', 128)],
  ['2.5.4.97', directoryString('organizationIdentifier', 256)],
  [oids.id_domainComponent, { name: 'domainComponent', types: ['IA5String'], maxLength: 63 }],
  [oids.id_userId, directoryString('uid', 256)],
  [oids.id_emailAddress, { name: 'emailAddress', types: ['IA5String'], maxLength: 255 }],
  ['1.2.840.113549.1.9.2', { name: 'unstructuredName', types: ['IA5String', ...DIRECTORY_STRING], maxLength: 255 }],
  ['1.3.6.1.4.1.311.60.2.1.1', directoryString('jurisdictionLocalityName', 128)],
  ['1.3.6.1.4.1.311.60.2.1.2', directoryString('jurisdictionStateOrProvinceName', 128)],
  [
    '1.3.6.1.4.1.311.60.2.1.3',
    { name: 'jurisdictionCountryName', types: ['PrintableString'], minLength: 2, maxLength: 2, check: twoLetters },
  ],
]);

/**
 * Values of attribute types not in {@link ATTRIBUTE_TYPES}: a character string as OpenSSL and
 * most clients write them, never arbitrary ASN.1, at most 1024 characters.
 */
export const UNKNOWN_ATTRIBUTE_TYPE: StringRule = { types: ['PrintableString', 'UTF8String', 'IA5String'], maxLength: 1024 };
