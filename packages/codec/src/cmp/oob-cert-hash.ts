import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readCertId, writeCertId, type CertId } from '../crmf/cert-id.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';

/**
 * OOBCertHash, RFC 9810 section 5.2.5 (EXPLICIT tags: `[0]` and `[1]` are constructed wrappers
 * around the whole AlgorithmIdentifier and CertId):
 *
 * ```asn1
 * OOBCertHash ::= SEQUENCE {
 *    hashAlg     [0] AlgorithmIdentifier     OPTIONAL,
 *    certId      [1] CertId                  OPTIONAL,
 *    hashVal         BIT STRING
 * }
 * ```
 *
 * `hashVal` holds the octets of the BIT STRING (a digest of the self-signed certificate); a
 * BIT STRING with unused bits is refused (`invalidBitString`).
 */
export interface OOBCertHash {
  hashAlg?: AlgorithmIdentifier;
  certId?: CertId;
  hashVal: Uint8Array;
}

export function readOOBCertHash(r: DerReader, field: string): OOBCertHash {
  const s = r.sequence(field);
  let hashAlg: AlgorithmIdentifier | undefined;
  let certId: CertId | undefined;
  let e: DerReader | undefined;
  if ((e = s.optionalExplicit(0, 'hashAlg'))) {
    hashAlg = readAlgorithmIdentifier(e, '');
    e.finish();
  }
  if ((e = s.optionalExplicit(1, 'certId'))) {
    certId = readCertId(e, '');
    e.finish();
  }
  const value: OOBCertHash = { hashVal: s.octetBitString('hashVal') };
  s.finish();
  if (hashAlg) value.hashAlg = hashAlg;
  if (certId) value.certId = certId;
  return value;
}

export function writeOOBCertHash(w: DerWriter, value: OOBCertHash): void {
  w.sequence((w) => {
    if (value.hashAlg) {
      const alg = value.hashAlg;
      w.explicit(0, (w) => writeAlgorithmIdentifier(w, alg));
    }
    if (value.certId) {
      const id = value.certId;
      w.explicit(1, (w) => writeCertId(w, id));
    }
    w.bitString(value.hashVal);
  });
}

/** Decodes a DER OOBCertHash. */
export function decodeOOBCertHash(der: Uint8Array, options?: DecodeOptions): OOBCertHash {
  return decodeWith(der, 'OOBCertHash', readOOBCertHash, options);
}

/** Encodes an OOBCertHash as DER. */
export function encodeOOBCertHash(value: OOBCertHash): Uint8Array {
  return encodeWith(value, writeOOBCertHash, 128);
}
