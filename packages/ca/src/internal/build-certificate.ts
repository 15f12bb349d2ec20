import { AsnConvert } from '@peculiar/asn1-schema';
import {
  type Extension as AsnExtension,
  Extensions,
  type Name as AsnName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { arrayBufferOf, integerContents, tlv } from './der.js';
import { derOf } from './asn.js';
import type { Signer } from './signer.js';

/** The fields of a TBSCertificate this CA fills. */
export interface CertificateFields {
  serialNumber: bigint;
  issuer: AsnName;
  subject: AsnName;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  publicKey: Uint8Array;
  extensions: AsnExtension[];
}

/** Wraps signed DER: `SEQUENCE { tbs, signatureAlgorithm, BIT STRING signature }`. */
export function signedStructure(tbs: Uint8Array, algorithm: Uint8Array, signature: Uint8Array): Uint8Array {
  const bits = new Uint8Array(signature.length + 1);
  bits.set(signature, 1);
  const body = new Uint8Array(tbs.length + algorithm.length);
  body.set(tbs, 0);
  body.set(algorithm, tbs.length);
  const bitString = tlv(0x03, bits);
  const all = new Uint8Array(body.length + bitString.length);
  all.set(body, 0);
  all.set(bitString, body.length);
  return tlv(0x30, all);
}

/**
 * An X.509 v3 certificate (RFC 5280 section 4.1) with `fields`, signed by `signer`. The
 * TBSCertificate is serialized once; the signature covers exactly the bytes in the result.
 */
export async function buildCertificate(fields: CertificateFields, signer: Signer): Promise<Uint8Array> {
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: arrayBufferOf(integerContents(fields.serialNumber)),
    signature: signer.algorithm,
    issuer: fields.issuer,
    validity: new Validity({ notBefore: fields.notBefore, notAfter: fields.notAfter }),
    subject: fields.subject,
    subjectPublicKeyInfo: AsnConvert.parse(fields.publicKey, SubjectPublicKeyInfo),
    ...(fields.extensions.length ? { extensions: new Extensions(fields.extensions) } : {}),
  });
  const tbsDer = derOf(tbs);
  const signature = await signer.sign(tbsDer);
  return signedStructure(tbsDer, derOf(signer.algorithm), signature);
}
