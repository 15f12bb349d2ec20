import fc from 'fast-check';
import type {
  CertId,
  CertReqMsg,
  CertRequest,
  CertTemplate,
  Control,
  EncryptedKey,
  EncryptedValue,
  OptionalValidity,
  PKIArchiveOptions,
  PKIPublicationInfo,
  PKMACValue,
  POPOPrivKey,
  POPOSigningKey,
  POPOSigningKeyInput,
  ProofOfPossession,
  RegInfo,
  SinglePubInfo,
} from '../../src/index.js';
import { anyBigInt, bytes, derSequenceValue, derValue, privateOid, safeInt, text } from './der.js';
import { algorithmIdentifier, bitString, extensions, generalName, name, subjectPublicKeyInfo, time } from './x509.js';

export const certId: fc.Arbitrary<CertId> = fc.record({
  issuer: generalName,
  serialNumber: anyBigInt,
});

export const optionalValidity: fc.Arbitrary<OptionalValidity> = fc.record({ notBefore: time, notAfter: time }, { requiredKeys: [] });

export const certTemplate: fc.Arbitrary<CertTemplate> = fc.record(
  {
    version: safeInt,
    serialNumber: anyBigInt,
    signingAlg: algorithmIdentifier,
    issuer: name,
    validity: optionalValidity,
    subject: name,
    publicKey: subjectPublicKeyInfo,
    issuerUID: bitString,
    subjectUID: bitString,
    extensions,
  },
  { requiredKeys: [] },
);

export const singlePubInfo: fc.Arbitrary<SinglePubInfo> = fc.record(
  { pubMethod: safeInt, pubLocation: generalName },
  { requiredKeys: ['pubMethod'] },
);

export const pkiPublicationInfo: fc.Arbitrary<PKIPublicationInfo> = fc.record(
  { action: safeInt, pubInfos: fc.array(singlePubInfo, { minLength: 1, maxLength: 2 }) },
  { requiredKeys: ['action'] },
);

export const encryptedValue: fc.Arbitrary<EncryptedValue> = fc.record(
  {
    intendedAlg: algorithmIdentifier,
    symmAlg: algorithmIdentifier,
    encSymmKey: bytes(),
    keyAlg: algorithmIdentifier,
    valueHint: bytes(),
    encValue: bytes(),
  },
  { requiredKeys: ['encValue'] },
);

export const encryptedKey: fc.Arbitrary<EncryptedKey> = fc.oneof(
  encryptedValue.map((value) => ({ type: 'encryptedValue' as const, value })),
  derSequenceValue.map((value) => ({ type: 'envelopedData' as const, value })),
);

export const pkiArchiveOptions: fc.Arbitrary<PKIArchiveOptions> = fc.oneof(
  encryptedKey.map((value) => ({ type: 'encryptedPrivKey' as const, value })),
  bytes().map((value) => ({ type: 'keyGenParameters' as const, value })),
  fc.boolean().map((value) => ({ type: 'archiveRemGenPrivKey' as const, value })),
);

export const control: fc.Arbitrary<Control> = fc.oneof(
  text().map((value) => ({ type: 'regToken' as const, value })),
  text().map((value) => ({ type: 'authenticator' as const, value })),
  pkiPublicationInfo.map((value) => ({ type: 'pkiPublicationInfo' as const, value })),
  pkiArchiveOptions.map((value) => ({ type: 'pkiArchiveOptions' as const, value })),
  certId.map((value) => ({ type: 'oldCertID' as const, value })),
  subjectPublicKeyInfo.map((value) => ({ type: 'protocolEncrKey' as const, value })),
  algorithmIdentifier.map((value) => ({ type: 'algId' as const, value })),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((value) => ({ type: 'rsaKeyLen' as const, value })),
  fc.tuple(privateOid, derValue).map(([oid, value]) => ({ type: 'other' as const, oid, value })),
);

export const certRequest: fc.Arbitrary<CertRequest> = fc.record(
  {
    certReqId: safeInt,
    certTemplate,
    controls: fc.array(control, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ['certReqId', 'certTemplate'] },
);

export const pkmacValue: fc.Arbitrary<PKMACValue> = fc.record({
  algId: algorithmIdentifier,
  value: bytes(),
});

export const popoSigningKeyInput: fc.Arbitrary<POPOSigningKeyInput> = fc.record({
  authInfo: fc.oneof(
    generalName.map((value) => ({ type: 'sender' as const, value })),
    pkmacValue.map((value) => ({ type: 'publicKeyMAC' as const, value })),
  ),
  publicKey: subjectPublicKeyInfo,
});

export const popoSigningKey: fc.Arbitrary<POPOSigningKey> = fc.record(
  { poposkInput: popoSigningKeyInput, algorithmIdentifier, signature: bytes(40) },
  { requiredKeys: ['algorithmIdentifier', 'signature'] },
);

export const popoPrivKey: fc.Arbitrary<POPOPrivKey> = fc.oneof(
  bytes().map((value) => ({ type: 'thisMessage' as const, value })),
  safeInt.map((value) => ({ type: 'subsequentMessage' as const, value })),
  bytes().map((value) => ({ type: 'dhMAC' as const, value })),
  pkmacValue.map((value) => ({ type: 'agreeMAC' as const, value })),
  derSequenceValue.map((value) => ({ type: 'encryptedKey' as const, value })),
);

export const proofOfPossession: fc.Arbitrary<ProofOfPossession> = fc.oneof(
  fc.constant({ type: 'raVerified' as const, value: null }),
  popoSigningKey.map((value) => ({ type: 'signature' as const, value })),
  popoPrivKey.map((value) => ({ type: 'keyEncipherment' as const, value })),
  popoPrivKey.map((value) => ({ type: 'keyAgreement' as const, value })),
);

export const regInfo: fc.Arbitrary<RegInfo> = fc.oneof(
  text().map((value) => ({ type: 'utf8Pairs' as const, value })),
  certRequest.map((value) => ({ type: 'certReq' as const, value })),
  fc.tuple(privateOid, derValue).map(([oid, value]) => ({ type: 'other' as const, oid, value })),
);

export const certReqMsg: fc.Arbitrary<CertReqMsg> = fc.record(
  {
    certReq: certRequest,
    popo: proofOfPossession,
    regInfo: fc.array(regInfo, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ['certReq'] },
);

export const certReqMessages: fc.Arbitrary<CertReqMsg[]> = fc.array(certReqMsg, {
  minLength: 1,
  maxLength: 2,
});
