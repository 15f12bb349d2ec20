import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Extension as AsnExtension, Name as AsnName, Time } from '@peculiar/asn1-x509';
import { encodeName, type Extension, type Name } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import { bytesEqual } from './der.js';

/** The @peculiar Name for a codec Name, refused when it does not survive the conversion exactly. */
export function asnNameOf(name: Name, what: string): AsnName {
  let der: Uint8Array;
  let parsed: AsnName;
  try {
    der = encodeName(name);
    parsed = AsnConvert.parse(der, AsnName);
  } catch {
    throw new IssuanceError('badCertTemplate', `the ${what} name cannot be encoded`);
  }
  if (!bytesEqual(new Uint8Array(AsnConvert.serialize(parsed)), der)) {
    throw new IssuanceError('badCertTemplate', `the ${what} name uses an attribute value encoding this CA cannot reproduce`);
  }
  return parsed;
}

/** A @peculiar Extension with the given DER value. */
export function asnExtension(extnID: string, critical: boolean, value: Uint8Array | ArrayBuffer): AsnExtension {
  return new AsnExtension({ extnID, critical, extnValue: new OctetString(value) });
}

/** A @peculiar Extension from a codec Extension. */
export function asnExtensionOf(ext: Extension): AsnExtension {
  return asnExtension(ext.extnID, ext.critical === true, ext.extnValue);
}

/** The DER value of a @peculiar object. */
export function derOf(value: unknown): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(value));
}

/** A Time for `date` (UTCTime through 2049, GeneralizedTime from 2050, as RFC 5280 requires). */
export function timeOf(date: Date): Time {
  return new Time(date);
}
