import fc from 'fast-check';
import {
  FAIL_INFO_NAMES,
  PKI_BODY_TYPES,
  type CAKeyUpdContent,
  type CertConfirmContent,
  type CertifiedKeyPair,
  type CertRepMessage,
  type CertResponse,
  type Challenge,
  type ErrorMsgContent,
  type FailInfoBit,
  type InfoTypeAndValue,
  type KeyRecRepContent,
  type PBKDF2Params,
  type PBMAC1Params,
  type PBMParameter,
  type PKIBody,
  type PKIBodyType,
  type PKIFreeText,
  type PKIHeader,
  type PKIMessage,
  type PKIStatusInfo,
  type PollRepContent,
  type Rand,
  type RevAnnContent,
  type RevDetails,
  type RevRepContent,
} from '../../src/index.js';
import { certId, certReqMessages, certTemplate, encryptedKey, pkiPublicationInfo } from './crmf.js';
import { anyBigInt, anyOid, bytes, derSequenceValue, derValue, generalizedDate, privateOid, safeInt, text } from './der.js';
import { algorithmIdentifier, extensions, generalName } from './x509.js';

/**
 * InfoTypeAndValue limited to `{ type: 'other' }` with an OID outside id-it (1.3.6.1.5.5.7.4):
 * typed values for the id-it types are being built separately.
 */
export const infoTypeAndValue: fc.Arbitrary<InfoTypeAndValue> = fc
  .record({ infoType: privateOid, infoValue: derValue }, { requiredKeys: ['infoType'] })
  .map((r) => ({ type: 'other' as const, ...r }));

export const pkiFreeText: fc.Arbitrary<PKIFreeText> = fc.array(text(), {
  minLength: 1,
  maxLength: 3,
});

/** Canonical form: the set bit names in bit order, unknown bits as `bitN`. */
export const failInfo: fc.Arbitrary<FailInfoBit[]> = fc
  .uniqueArray(fc.nat({ max: 40 }), { maxLength: 6 })
  .map((bits) => [...bits].sort((a, b) => a - b).map((bit) => FAIL_INFO_NAMES[bit] ?? (`bit${bit}` as const)));

export const pkiStatusInfo: fc.Arbitrary<PKIStatusInfo> = fc.record(
  { status: fc.oneof(fc.nat({ max: 6 }), safeInt), statusString: pkiFreeText, failInfo },
  { requiredKeys: ['status'] },
);

const certificate = derSequenceValue;
const certificates = fc.array(certificate, { minLength: 1, maxLength: 2 });

export const pkiHeader = (requiredAll = false): fc.Arbitrary<PKIHeader> => {
  const fields = {
    pvno: fc.oneof(fc.constantFrom(1, 2, 3), safeInt),
    sender: generalName,
    recipient: generalName,
    messageTime: generalizedDate,
    protectionAlg: algorithmIdentifier,
    senderKID: bytes(),
    recipKID: bytes(),
    transactionID: bytes(),
    senderNonce: bytes(),
    recipNonce: bytes(),
    freeText: pkiFreeText,
    generalInfo: fc.array(infoTypeAndValue, { minLength: 1, maxLength: 3 }),
  };
  return requiredAll ? fc.record(fields) : fc.record(fields, { requiredKeys: ['pvno', 'sender', 'recipient'] });
};

export const certifiedKeyPair: fc.Arbitrary<CertifiedKeyPair> = fc.record(
  {
    certOrEncCert: fc.oneof(
      certificate.map((value) => ({ type: 'certificate' as const, value })),
      encryptedKey.map((value) => ({ type: 'encryptedCert' as const, value })),
    ),
    privateKey: encryptedKey,
    publicationInfo: pkiPublicationInfo,
  },
  { requiredKeys: ['certOrEncCert'] },
);

export const certResponse: fc.Arbitrary<CertResponse> = fc.record(
  { certReqId: safeInt, status: pkiStatusInfo, certifiedKeyPair, rspInfo: bytes() },
  { requiredKeys: ['certReqId', 'status'] },
);

export const certRepMessage: fc.Arbitrary<CertRepMessage> = fc.record(
  { caPubs: certificates, response: fc.array(certResponse, { maxLength: 2 }) },
  { requiredKeys: ['response'] },
);

export const challenge: fc.Arbitrary<Challenge> = fc.record(
  {
    owf: algorithmIdentifier,
    witness: bytes(),
    challenge: bytes(),
    encryptedRand: derSequenceValue,
  },
  { requiredKeys: ['witness', 'challenge'] },
);

export const keyRecRepContent: fc.Arbitrary<KeyRecRepContent> = fc.record(
  {
    status: pkiStatusInfo,
    newSigCert: certificate,
    caCerts: certificates,
    keyPairHist: fc.array(certifiedKeyPair, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ['status'] },
);

export const revDetails: fc.Arbitrary<RevDetails> = fc.record(
  { certDetails: certTemplate, crlEntryDetails: extensions },
  { requiredKeys: ['certDetails'] },
);

export const revRepContent: fc.Arbitrary<RevRepContent> = fc.record(
  {
    status: fc.array(pkiStatusInfo, { minLength: 1, maxLength: 2 }),
    revCerts: fc.array(certId, { minLength: 1, maxLength: 2 }),
    crls: certificates,
  },
  { requiredKeys: ['status'] },
);

export const caKeyUpdContent: fc.Arbitrary<CAKeyUpdContent> = fc.oneof(
  fc
    .record({ oldWithNew: certificate, newWithOld: certificate, newWithNew: certificate })
    .map((value) => ({ type: 'cAKeyUpdAnnV2' as const, value })),
  fc
    .record({ newWithNew: certificate, newWithOld: certificate, oldWithNew: certificate }, { requiredKeys: ['newWithNew'] })
    .map((value) => ({ type: 'cAKeyUpdAnnV3' as const, value })),
);

export const revAnnContent: fc.Arbitrary<RevAnnContent> = fc.record(
  {
    status: safeInt,
    certId,
    willBeRevokedAt: generalizedDate,
    badSinceDate: generalizedDate,
    crlDetails: extensions,
  },
  { requiredKeys: ['status', 'certId', 'willBeRevokedAt', 'badSinceDate'] },
);

export const errorMsgContent: fc.Arbitrary<ErrorMsgContent> = fc.record(
  { pKIStatusInfo: pkiStatusInfo, errorCode: safeInt, errorDetails: pkiFreeText },
  { requiredKeys: ['pKIStatusInfo'] },
);

export const certConfirmContent: fc.Arbitrary<CertConfirmContent> = fc.array(
  fc.record(
    {
      certHash: bytes(64),
      certReqId: safeInt,
      statusInfo: pkiStatusInfo,
      hashAlg: algorithmIdentifier,
    },
    { requiredKeys: ['certHash', 'certReqId'] },
  ),
  { maxLength: 2 },
);

export const pollRepContent: fc.Arbitrary<PollRepContent> = fc.array(
  fc.record({ certReqId: safeInt, checkAfter: safeInt, reason: pkiFreeText }, { requiredKeys: ['certReqId', 'checkAfter'] }),
  { maxLength: 2 },
);

/** A PKIBody of the given alternative; `nested` holds messages of the non-nested kinds. */
export function pkiBodyOf(type: PKIBodyType, depth = 0): fc.Arbitrary<PKIBody> {
  const body = <T>(content: fc.Arbitrary<T>): fc.Arbitrary<PKIBody> => content.map((c) => ({ type, content: c }) as PKIBody);
  switch (type) {
    case 'ir':
    case 'cr':
    case 'kur':
    case 'krr':
    case 'ccr':
      return body(certReqMessages);
    case 'ip':
    case 'cp':
    case 'kup':
    case 'ccp':
      return body(certRepMessage);
    case 'p10cr':
      return body(derSequenceValue);
    case 'popdecc':
      return body(fc.array(challenge, { maxLength: 2 }));
    case 'popdecr':
      return body(fc.array(anyBigInt, { maxLength: 3 }));
    case 'krp':
      return body(keyRecRepContent);
    case 'rr':
      return body(fc.array(revDetails, { maxLength: 2 }));
    case 'rp':
      return body(revRepContent);
    case 'ckuann':
      return body(caKeyUpdContent);
    case 'cann':
      return body(certificate);
    case 'rann':
      return body(revAnnContent);
    case 'crlann':
      return body(fc.array(derSequenceValue, { maxLength: 2 }));
    case 'pkiconf':
      return body(fc.constant(null));
    case 'nested':
      return body(fc.array(pkiMessage(depth + 1), { minLength: 1, maxLength: 2 }));
    case 'genm':
    case 'genp':
      return body(fc.array(infoTypeAndValue, { maxLength: 3 }));
    case 'error':
      return body(errorMsgContent);
    case 'certConf':
      return body(certConfirmContent);
    case 'pollReq':
      return body(fc.array(fc.record({ certReqId: safeInt }), { maxLength: 3 }));
    case 'pollRep':
      return body(pollRepContent);
  }
}

/** Any PKIBody; below the top level, `nested` is left out so that generation terminates. */
export function pkiBody(depth = 0): fc.Arbitrary<PKIBody> {
  const types = PKI_BODY_TYPES.filter((t) => depth < 2 || t !== 'nested');
  return fc.constantFrom(...types).chain((t) => pkiBodyOf(t, depth));
}

export function pkiMessage(depth = 0, body: fc.Arbitrary<PKIBody> = pkiBody(depth), requiredAll = false): fc.Arbitrary<PKIMessage> {
  return fc.record(
    { header: pkiHeader(requiredAll), body, protection: bytes(40), extraCerts: certificates },
    {
      requiredKeys: requiredAll ? ['header', 'body', 'protection', 'extraCerts'] : ['header', 'body'],
    },
  );
}

export const rand: fc.Arbitrary<Rand> = fc.record({ int: anyBigInt, sender: generalName });

export const pbmParameter: fc.Arbitrary<PBMParameter> = fc.record({
  salt: bytes(),
  owf: algorithmIdentifier,
  iterationCount: safeInt,
  mac: algorithmIdentifier,
});

/** Canonical form: `prf` never the DEFAULT hmacWithSHA1 with NULL parameters. */
export const pbkdf2Params: fc.Arbitrary<PBKDF2Params> = fc.record(
  {
    salt: fc.oneof(
      bytes().map((value) => ({ type: 'specified' as const, value })),
      algorithmIdentifier.map((value) => ({ type: 'otherSource' as const, value })),
    ),
    iterationCount: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    keyLength: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    prf: algorithmIdentifier.filter((a) => a.algorithm !== '1.2.840.113549.2.7'),
  },
  { requiredKeys: ['salt', 'iterationCount'] },
);

export const pbmac1Params: fc.Arbitrary<PBMAC1Params> = fc.record({
  keyDerivationFunc: algorithmIdentifier,
  messageAuthScheme: algorithmIdentifier,
});

export { anyOid };
