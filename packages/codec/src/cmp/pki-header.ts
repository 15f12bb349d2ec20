import type { DerReader } from '../der/reader.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';
import { readGeneralName, writeGeneralName, type GeneralName } from '../x509/general-name.js';
import { readInfoTypeAndValue, writeInfoTypeAndValue, type InfoTypeAndValue } from './info-type-and-value.js';
import { readPKIFreeText, writePKIFreeText, type PKIFreeText } from './pki-free-text.js';

/** The protocol versions of `PKIHeader.pvno`. */
export const PVNO = Object.freeze({ cmp1999: 1, cmp2000: 2, cmp2021: 3 } as const);

/**
 * PKIHeader, RFC 9810 section 5.1.1 (EXPLICIT tags):
 *
 * ```asn1
 * PKIHeader ::= SEQUENCE {
 *     pvno                INTEGER     { cmp1999(1), cmp2000(2), cmp2021(3) },
 *     sender              GeneralName,
 *     recipient           GeneralName,
 *     messageTime     [0] GeneralizedTime         OPTIONAL,
 *     protectionAlg   [1] AlgorithmIdentifier{ALGORITHM, {...}} OPTIONAL,
 *     senderKID       [2] KeyIdentifier           OPTIONAL,
 *     recipKID        [3] KeyIdentifier           OPTIONAL,
 *     transactionID   [4] OCTET STRING            OPTIONAL,
 *     senderNonce     [5] OCTET STRING            OPTIONAL,
 *     recipNonce      [6] OCTET STRING            OPTIONAL,
 *     freeText        [7] PKIFreeText             OPTIONAL,
 *     generalInfo     [8] SEQUENCE SIZE (1..MAX) OF
 *                         InfoTypeAndValue     OPTIONAL }
 * ```
 */
export interface PKIHeader {
  pvno: number;
  sender: GeneralName;
  recipient: GeneralName;
  messageTime?: Date;
  protectionAlg?: AlgorithmIdentifier;
  senderKID?: Uint8Array;
  recipKID?: Uint8Array;
  transactionID?: Uint8Array;
  senderNonce?: Uint8Array;
  recipNonce?: Uint8Array;
  freeText?: PKIFreeText;
  generalInfo?: InfoTypeAndValue[];
}

export function readPKIHeader(r: DerReader, field: string): PKIHeader {
  const s = r.sequence(field);
  const pvno = s.integer('pvno');
  const sender = readGeneralName(s, 'sender');
  const recipient = readGeneralName(s, 'recipient');
  const header: PKIHeader = { pvno, sender, recipient };
  let e: DerReader | undefined;
  if ((e = s.optionalExplicit(0, 'messageTime'))) {
    header.messageTime = e.generalizedTime('');
    e.finish();
  }
  if ((e = s.optionalExplicit(1, 'protectionAlg'))) {
    header.protectionAlg = readAlgorithmIdentifier(e, '');
    e.finish();
  }
  if ((e = s.optionalExplicit(2, 'senderKID'))) {
    header.senderKID = e.octetString('');
    e.finish();
  }
  if ((e = s.optionalExplicit(3, 'recipKID'))) {
    header.recipKID = e.octetString('');
    e.finish();
  }
  if ((e = s.optionalExplicit(4, 'transactionID'))) {
    header.transactionID = e.octetString('');
    e.finish();
  }
  if ((e = s.optionalExplicit(5, 'senderNonce'))) {
    header.senderNonce = e.octetString('');
    e.finish();
  }
  if ((e = s.optionalExplicit(6, 'recipNonce'))) {
    header.recipNonce = e.octetString('');
    e.finish();
  }
  if ((e = s.optionalExplicit(7, 'freeText'))) {
    header.freeText = readPKIFreeText(e, '');
    e.finish();
  }
  if ((e = s.optionalExplicit(8, 'generalInfo'))) {
    header.generalInfo = e.sequenceOf('', readInfoTypeAndValue, Tag.SEQUENCE, 1);
    e.finish();
  }
  s.finish();
  return header;
}

export function writePKIHeader(w: DerWriter, h: PKIHeader): void {
  w.sequence((w) => {
    w.integer(h.pvno);
    writeGeneralName(w, h.sender);
    writeGeneralName(w, h.recipient);
    if (h.messageTime) w.explicit(0, (w) => w.generalizedTime(h.messageTime as Date));
    if (h.protectionAlg) w.explicit(1, (w) => writeAlgorithmIdentifier(w, h.protectionAlg as AlgorithmIdentifier));
    if (h.senderKID) w.explicit(2, (w) => w.octetString(h.senderKID as Uint8Array));
    if (h.recipKID) w.explicit(3, (w) => w.octetString(h.recipKID as Uint8Array));
    if (h.transactionID) w.explicit(4, (w) => w.octetString(h.transactionID as Uint8Array));
    if (h.senderNonce) w.explicit(5, (w) => w.octetString(h.senderNonce as Uint8Array));
    if (h.recipNonce) w.explicit(6, (w) => w.octetString(h.recipNonce as Uint8Array));
    if (h.freeText) w.explicit(7, (w) => writePKIFreeText(w, h.freeText as PKIFreeText));
    if (h.generalInfo) {
      const info = h.generalInfo;
      requireItems(info, 'PKIHeader.generalInfo');
      w.explicit(8, (w) =>
        w.sequence((w) => {
          for (const itav of info) writeInfoTypeAndValue(w, itav);
        }),
      );
    }
  });
}
