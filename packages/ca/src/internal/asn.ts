import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Extension as AsnExtension, Time } from '@peculiar/asn1-x509';
import { encodeName, type Extension, type Name } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';

/** The DER of a codec Name, refused with badCertTemplate when it cannot be encoded. */
export function nameDer(name: Name, what: string): Uint8Array {
  try {
    return encodeName(name);
  } catch {
    throw new IssuanceError('badCertTemplate', `the ${what} name cannot be encoded`);
  }
}

/** A codec Extension with the given DER value (critical left out when false, as DER wants). */
export function extension(extnID: string, critical: boolean, value: Uint8Array): Extension {
  return critical ? { extnID, critical: true, extnValue: value } : { extnID, extnValue: value };
}

/** A codec Extension from a @peculiar one. */
export function extensionOfAsn(ext: AsnExtension): Extension {
  return extension(ext.extnID, ext.critical, new Uint8Array(ext.extnValue.buffer));
}

/** A @peculiar Extension with the given DER value. */
export function asnExtension(extnID: string, critical: boolean, value: Uint8Array | ArrayBuffer): AsnExtension {
  return new AsnExtension({ extnID, critical, extnValue: new OctetString(value) });
}

/** The DER value of a @peculiar object. */
export function derOf(value: unknown): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(value));
}

/** A Time for `date` (UTCTime through 2049, GeneralizedTime from 2050, as RFC 5280 requires). */
export function timeOf(date: Date): Time {
  return new Time(date);
}
