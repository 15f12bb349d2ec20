import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, CertificateList, CRLNumber, CRLReason, id_ce_cRLNumber, id_ce_cRLReasons } from '@peculiar/asn1-x509';
import { decodeSubjectPublicKeyInfo, parseName, type CertTemplate, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import type { CertificationRequest, Requester } from '@cmpkit/core';

/** A new ECDSA P-256 key pair and its SubjectPublicKeyInfo. */
export async function ecKey(): Promise<{ keys: CryptoKeyPair; spki: SubjectPublicKeyInfo }> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { keys, spki: decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey))) };
}

/** A MAC requester with reference `demo`. */
export const macRequester: Requester = {
  kind: 'mac',
  sender: { type: 'directoryName', value: [] },
  senderKID: new TextEncoder().encode('demo'),
};

/** A CertificationRequest as the engine hands it to the issuer. */
export function certRequest(
  spki: SubjectPublicKeyInfo | undefined,
  overrides: Partial<CertificationRequest> & { subject?: string } = {},
): CertificationRequest {
  const { subject = '/CN=device-1', ...rest } = overrides;
  const template: CertTemplate = { subject: parseName(subject), ...(spki ? { publicKey: spki } : {}) };
  return {
    bodyType: 'ir',
    certReqId: 0,
    template,
    ...(spki ? { publicKey: spki } : {}),
    centralKeyGeneration: false,
    requester: macRequester,
    transactionId: '00112233445566778899aabbccddeeff',
    ...rest,
  };
}

/** Parses a DER certificate with @peculiar/asn1-x509 (an oracle independent of the issuer's own reader). */
export function parseCertificate(der: Uint8Array): Certificate {
  return AsnConvert.parse(der, Certificate);
}

const hexOf = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** Lowercase hex of a certificate's serial number (no leading zeros). */
export function serialOf(der: Uint8Array): string {
  return BigInt(`0x${hexOf(parseCertificate(der).tbsCertificate.serialNumber)}`).toString(16);
}

/** The entries of a DER CRL: serial (hex) → CRLReason code (undefined: no reasonCode), and the cRLNumber. */
export function crlContent(der: Uint8Array): { crlNumber: number | undefined; thisUpdate: Date; entries: Map<string, number | undefined> } {
  const tbs = AsnConvert.parse(der, CertificateList).tbsCertList;
  const entries = new Map<string, number | undefined>();
  for (const entry of tbs.revokedCertificates ?? []) {
    const ext = entry.crlEntryExtensions?.find((e) => e.extnID === id_ce_cRLReasons);
    entries.set(
      BigInt(`0x${hexOf(entry.userCertificate)}`).toString(16),
      ext ? AsnConvert.parse(ext.extnValue, CRLReason).reason : undefined,
    );
  }
  const numberExt = tbs.crlExtensions?.find((e) => e.extnID === id_ce_cRLNumber);
  return {
    crlNumber: numberExt ? AsnConvert.parse(numberExt.extnValue, CRLNumber).value : undefined,
    thisUpdate: tbs.thisUpdate.getTime(),
    entries,
  };
}
