import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, type Name as X509Name } from '@peculiar/asn1-x509';
import { decodeName, nameToString } from '@cmpkit/codec';

/** A one-line summary of a DER certificate (`subject=... issuer=... serial=...`), or null. */
export function describeCertificate(der: Uint8Array): string | null {
  try {
    const cert = AsnConvert.parse(der, Certificate);
    const tbs = cert.tbsCertificate;
    const name = (n: X509Name): string => nameToString(decodeName(new Uint8Array(AsnConvert.serialize(n))));
    const serial = Buffer.from(tbs.serialNumber).toString('hex');
    const notAfter = tbs.validity.notAfter.getTime().toISOString();
    return `subject=${name(tbs.subject)} issuer=${name(tbs.issuer)} serial=${serial} notAfter=${notAfter}`;
  } catch {
    return null;
  }
}
