import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  type Extension as AsnExtension,
  KeyUsage,
  KeyUsageFlags,
  type Name as AsnName,
  SubjectKeyIdentifier,
  Version,
} from '@peculiar/asn1-x509';
import { oids } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import { derOf } from './asn.js';

/** What the CA needs to know about a certificate it signs with (or certifies, for cross certificates). */
export interface CertificateInfo {
  subject: AsnName;
  subjectDer: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  publicKey: Uint8Array;
  /** The octets of the subjectPublicKey BIT STRING. */
  subjectPublicKey: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  version: number;
  extensions: AsnExtension[];
  subjectKeyIdentifier?: Uint8Array;
  basicConstraints?: { cA: boolean; pathLenConstraint?: number };
  /** KeyUsage flags (bit 0 = 1), when the extension is present. */
  keyUsage?: number;
}

function fail(why: string): never {
  throw new IssuanceError('systemFailure', why);
}

/** Parses the certificate of a CA (or of a key to be cross-certified). */
export function readCertificate(der: Uint8Array, what: string): CertificateInfo {
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch {
    return fail(`the ${what} is not an X.509 certificate`);
  }
  const tbs = cert.tbsCertificate;
  const extensions = tbs.extensions ? [...tbs.extensions] : [];
  const info: CertificateInfo = {
    subject: tbs.subject,
    subjectDer: derOf(tbs.subject),
    publicKey: derOf(tbs.subjectPublicKeyInfo),
    subjectPublicKey: new Uint8Array(tbs.subjectPublicKeyInfo.subjectPublicKey),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    version: tbs.version,
    extensions,
  };
  try {
    for (const ext of extensions) {
      const value = ext.extnValue.buffer;
      if (ext.extnID === oids.id_ce_subjectKeyIdentifier) {
        info.subjectKeyIdentifier = new Uint8Array(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
      } else if (ext.extnID === oids.id_ce_basicConstraints) {
        const bc = AsnConvert.parse(value, BasicConstraints);
        info.basicConstraints = {
          cA: bc.cA,
          ...(bc.pathLenConstraint === undefined ? {} : { pathLenConstraint: bc.pathLenConstraint }),
        };
      } else if (ext.extnID === oids.id_ce_keyUsage) {
        info.keyUsage = AsnConvert.parse(value, KeyUsage).toNumber();
      }
    }
  } catch {
    return fail(`the ${what} has a malformed extension`);
  }
  return info;
}

/** Refuses a certificate that cannot issue certificates: not v3 with basicConstraints cA, or keyUsage without keyCertSign. */
export function checkIssuingCertificate(info: CertificateInfo): void {
  if (info.version !== Version.v3 || !info.basicConstraints?.cA) {
    fail('the CA certificate is not a CA certificate (no basicConstraints cA)');
  }
  if (info.keyUsage !== undefined && !(info.keyUsage & KeyUsageFlags.keyCertSign)) {
    fail('the CA certificate does not allow certificate signing (keyUsage lacks keyCertSign)');
  }
}
