import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, CertificateList, CRLNumber, CRLReason, id_ce_cRLNumber, id_ce_cRLReasons } from '@peculiar/asn1-x509';
import { decodeSubjectPublicKeyInfo, parseName, type CertTemplate, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import type { CertificationRequest, Requester } from '@cmpkit/core';

/** A clock the test moves by hand. */
export interface FakeClock {
  (): Date;
  advance(ms: number): void;
  set(date: Date): void;
}

/** A fake clock starting at `start` (default 2026-03-01T12:00:00Z). */
export function fakeClock(start = new Date('2026-03-01T12:00:00Z')): FakeClock {
  let now = start.getTime();
  const clock = (() => new Date(now)) as FakeClock;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.set = (date) => {
    now = date.getTime();
  };
  return clock;
}

export { tempDir } from '@cmpkit/test-utils';

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

/** Parses a DER certificate with @peculiar/asn1-x509. */
export function parseCertificate(der: Uint8Array): Certificate {
  return AsnConvert.parse(der, Certificate);
}

/** Parses a DER CRL with @peculiar/asn1-x509. */
export function parseCrl(der: Uint8Array): CertificateList {
  return AsnConvert.parse(der, CertificateList);
}

/** Lowercase hex of a certificate's serial number (no leading zeros). */
export function serialOf(der: Uint8Array): string {
  const bytes = new Uint8Array(parseCertificate(der).tbsCertificate.serialNumber);
  return BigInt(`0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`).toString(16);
}

/** The entries of a DER CRL: serial (hex) → CRLReason code (undefined: no reasonCode), and the cRLNumber. */
export function crlContent(der: Uint8Array): { crlNumber: number | undefined; thisUpdate: Date; entries: Map<string, number | undefined> } {
  const tbs = parseCrl(der).tbsCertList;
  const entries = new Map<string, number | undefined>();
  for (const entry of tbs.revokedCertificates ?? []) {
    const serial = BigInt(
      `0x${Array.from(new Uint8Array(entry.userCertificate), (b) => b.toString(16).padStart(2, '0')).join('')}`,
    ).toString(16);
    const ext = entry.crlEntryExtensions?.find((e) => e.extnID === id_ce_cRLReasons);
    entries.set(serial, ext ? AsnConvert.parse(ext.extnValue, CRLReason).reason : undefined);
  }
  const numberExt = tbs.crlExtensions?.find((e) => e.extnID === id_ce_cRLNumber);
  return {
    crlNumber: numberExt ? AsnConvert.parse(numberExt.extnValue, CRLNumber).value : undefined,
    thisUpdate: tbs.thisUpdate.getTime(),
    entries,
  };
}
