import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readEncryptedKey, writeEncryptedKey, type EncryptedKey } from '../crmf/encrypted-key.js';
import { readPKIPublicationInfo, writePKIPublicationInfo, type PKIPublicationInfo } from '../crmf/pki-publication-info.js';
import { readCMPCertificate, readCMPCertificates, writeCMPCertificates, type CMPCertificate } from './cmp-certificate.js';
import { readPKIStatusInfo, writePKIStatusInfo, type PKIStatusInfo } from './pki-status-info.js';

/**
 * CertOrEncCert, RFC 9810 section 5.3.4 (EXPLICIT tags):
 *
 * ```asn1
 * CertOrEncCert ::= CHOICE {
 *     certificate     [0] CMPCertificate,
 *     encryptedCert   [1] EncryptedKey }
 * ```
 */
export type CertOrEncCert = { type: 'certificate'; value: CMPCertificate } | { type: 'encryptedCert'; value: EncryptedKey };

/**
 * CertifiedKeyPair, RFC 9810 section 5.3.4:
 *
 * ```asn1
 * CertifiedKeyPair ::= SEQUENCE {
 *     certOrEncCert       CertOrEncCert,
 *     privateKey      [0] EncryptedKey      OPTIONAL,
 *     publicationInfo [1] PKIPublicationInfo  OPTIONAL }
 * ```
 */
export interface CertifiedKeyPair {
  certOrEncCert: CertOrEncCert;
  privateKey?: EncryptedKey;
  publicationInfo?: PKIPublicationInfo;
}

/**
 * CertResponse, RFC 9810 section 5.3.4:
 *
 * ```asn1
 * CertResponse ::= SEQUENCE {
 *     certReqId           INTEGER,
 *     status              PKIStatusInfo,
 *     certifiedKeyPair    CertifiedKeyPair    OPTIONAL,
 *     rspInfo             OCTET STRING        OPTIONAL }
 * ```
 */
export interface CertResponse {
  certReqId: number;
  status: PKIStatusInfo;
  certifiedKeyPair?: CertifiedKeyPair;
  rspInfo?: Uint8Array;
}

/**
 * CertRepMessage, RFC 9810 section 5.3.4:
 *
 * ```asn1
 * CertRepMessage ::= SEQUENCE {
 *     caPubs       [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate OPTIONAL,
 *     response         SEQUENCE OF CertResponse }
 * ```
 */
export interface CertRepMessage {
  caPubs?: CMPCertificate[];
  response: CertResponse[];
}

export function readCertifiedKeyPair(r: DerReader, field: string, index = -1): CertifiedKeyPair {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  let certOrEncCert: CertOrEncCert;
  if (s.isNext(0xa0)) {
    const e = s.explicit(0, 'certOrEncCert');
    certOrEncCert = { type: 'certificate', value: readCMPCertificate(e, 'certificate') };
    e.finish();
  } else if (s.isNext(0xa1)) {
    const e = s.explicit(1, 'certOrEncCert');
    certOrEncCert = { type: 'encryptedCert', value: readEncryptedKey(e, 'encryptedCert') };
    e.finish();
  } else {
    return s.fail('unexpectedTag', s.pos, 'not a CertOrEncCert alternative', 'certOrEncCert');
  }
  const pair: CertifiedKeyPair = { certOrEncCert };
  let e: DerReader | undefined;
  if ((e = s.optionalExplicit(0, 'privateKey'))) {
    pair.privateKey = readEncryptedKey(e, '');
    e.finish();
  }
  if ((e = s.optionalExplicit(1, 'publicationInfo'))) {
    pair.publicationInfo = readPKIPublicationInfo(e, '');
    e.finish();
  }
  s.finish();
  return pair;
}

export function writeCertifiedKeyPair(w: DerWriter, pair: CertifiedKeyPair): void {
  w.sequence((w) => {
    const c = pair.certOrEncCert;
    if (c.type === 'certificate') w.explicit(0, (w) => w.raw(c.value.der));
    else w.explicit(1, (w) => writeEncryptedKey(w, c.value));
    if (pair.privateKey) {
      const key = pair.privateKey;
      w.explicit(0, (w) => writeEncryptedKey(w, key));
    }
    if (pair.publicationInfo) {
      const info = pair.publicationInfo;
      w.explicit(1, (w) => writePKIPublicationInfo(w, info));
    }
  });
}

function readCertResponse(r: DerReader, field: string, index: number): CertResponse {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const certReqId = s.integer('certReqId');
  const status = readPKIStatusInfo(s, 'status');
  const response: CertResponse = { certReqId, status };
  if (s.isNext(Tag.SEQUENCE)) response.certifiedKeyPair = readCertifiedKeyPair(s, 'certifiedKeyPair');
  if (s.isNext(Tag.OCTET_STRING)) response.rspInfo = s.octetString('rspInfo');
  s.finish();
  return response;
}

export function readCertRepMessage(r: DerReader, field: string): CertRepMessage {
  const s = r.sequence(field);
  const message: CertRepMessage = { response: [] };
  const e = s.optionalExplicit(1, 'caPubs');
  if (e) {
    message.caPubs = readCMPCertificates(e, '');
    e.finish();
  }
  message.response = s.sequenceOf('response', readCertResponse);
  s.finish();
  return message;
}

export function writeCertRepMessage(w: DerWriter, message: CertRepMessage): void {
  w.sequence((w) => {
    if (message.caPubs) {
      const caPubs = message.caPubs;
      w.explicit(1, (w) => writeCMPCertificates(w, caPubs));
    }
    w.sequence((w) => {
      for (const response of message.response) {
        w.sequence((w) => {
          w.integer(response.certReqId);
          writePKIStatusInfo(w, response.status);
          if (response.certifiedKeyPair) writeCertifiedKeyPair(w, response.certifiedKeyPair);
          if (response.rspInfo) w.octetString(response.rspInfo);
        });
      }
    });
  });
}
