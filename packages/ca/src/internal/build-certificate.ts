import { encodeExtensions, type Extension } from '@cmpkit/codec';
import { concatBytes, encodeInteger, tlv } from './der.js';
import { timeDer } from './time-der.js';
import type { Signer } from './signer.js';

/** The fields of a TBSCertificate this CA fills, as DER where they are DER already. */
export interface CertificateFields {
  serialNumber: bigint;
  /** The issuer Name (DER). */
  issuer: Uint8Array;
  /** The subject Name (DER). */
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  publicKey: Uint8Array;
  extensions: readonly Extension[];
}

/** Wraps signed DER: `SEQUENCE { tbs, signatureAlgorithm, BIT STRING signature }`. */
export function signedStructure(tbs: Uint8Array, algorithm: Uint8Array, signature: Uint8Array): Uint8Array {
  const bits = new Uint8Array(signature.length + 1);
  bits.set(signature, 1);
  return tlv(0x30, concatBytes([tbs, algorithm, tlv(0x03, bits)]));
}

const VERSION_V3 = tlv(0xa0, encodeInteger(2n));

/**
 * An X.509 v3 certificate (RFC 5280 section 4.1) with `fields`, signed by `signer`. The
 * TBSCertificate is written directly as DER (no schema objects on the issuance path); the
 * signature covers exactly the bytes in the result.
 */
export async function buildCertificate(fields: CertificateFields, signer: Signer): Promise<Uint8Array> {
  const tbs = tlv(
    0x30,
    concatBytes([
      VERSION_V3,
      encodeInteger(fields.serialNumber),
      signer.algorithmDer,
      fields.issuer,
      tlv(0x30, concatBytes([timeDer(fields.notBefore), timeDer(fields.notAfter)])),
      fields.subject,
      fields.publicKey,
      ...(fields.extensions.length ? [tlv(0xa3, encodeExtensions([...fields.extensions]))] : []),
    ]),
  );
  const signature = await signer.sign(tbs);
  return signedStructure(tbs, signer.algorithmDer, signature);
}
