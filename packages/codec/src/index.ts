/**
 * @packageDocumentation
 * `@cmpkit/codec`: a strict, lossless DER codec for every structure of the Certificate
 * Management Protocol (RFC 9810) and CRMF (RFC 4211). Zero dependencies; runs in browsers,
 * workers, Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { decodePKIMessage, encodePKIMessage } from '@cmpkit/codec';
 *
 * const message = decodePKIMessage(bytes);        // throws DerError on anything but DER
 * console.log(message.body.type);                 // 'ir', 'ip', 'certConf', ...
 * encodePKIMessage(message);                      // the same bytes again
 * ```
 */

// Messages
export {
  decodePKIMessage,
  decodePKIMessageHeader,
  decodePKIMessages,
  encodePKIMessage,
  encodePKIMessages,
  encodeProtectedPart,
  receivedProtectedPart,
} from './cmp/pki-message.js';
export type { DecodedPKIMessage, PKIMessage, PKIMessageRaw, ProtectedPart } from './cmp/pki-message.js';
export { PVNO } from './cmp/pki-header.js';
export type { PKIHeader } from './cmp/pki-header.js';
export { PKI_BODY_TYPES, pkiBodyTag } from './cmp/pki-body.js';
export type {
  CertAnnContent,
  CertificationRequest,
  CRLAnnContent,
  GenMsgContent,
  GenRepContent,
  NestedMessageContent,
  PKIBody,
  PKIBodyType,
  PKIConfirmContent,
} from './cmp/pki-body.js';

// Body contents
export type { CAKeyUpdAnnContent, CAKeyUpdContent } from './cmp/ca-key-upd-content.js';
export type { CertConfirmContent, CertStatus } from './cmp/cert-confirm-content.js';
export type { CertifiedKeyPair, CertOrEncCert, CertRepMessage, CertResponse } from './cmp/cert-rep-message.js';
export type { CMPCertificate } from './cmp/cmp-certificate.js';
export type { ErrorMsgContent } from './cmp/error-msg-content.js';
export { decodeInfoTypeAndValue, encodeInfoTypeAndValue, INFO_TYPE_OIDS, infoTypeOid } from './cmp/info-type-and-value.js';
export type { InfoTypeAndValue, InfoTypeAndValueOf, InfoTypeName } from './cmp/info-type-and-value.js';
export { decodeCertReqTemplateContent, encodeCertReqTemplateContent } from './cmp/cert-req-template-content.js';
export type { CertReqTemplateContent } from './cmp/cert-req-template-content.js';
export type { CRLSource, CRLStatus, DistributionPointName } from './cmp/crl-status.js';
export { decodeKemCiphertextInfo, encodeKemCiphertextInfo } from './cmp/kem-ciphertext-info.js';
export type { KemCiphertextInfo } from './cmp/kem-ciphertext-info.js';
export { decodeKemOtherInfo, encodeKemOtherInfo } from './cmp/kem-other-info.js';
export type { KemOtherInfo } from './cmp/kem-other-info.js';
export { decodeOOBCertHash, encodeOOBCertHash } from './cmp/oob-cert-hash.js';
export type { OOBCertHash } from './cmp/oob-cert-hash.js';
export type { KeyRecRepContent } from './cmp/key-rec-rep-content.js';
export type { PKIFreeText } from './cmp/pki-free-text.js';
export { PKIStatus, pkiStatusName } from './cmp/pki-status-info.js';
export type { FailInfoBit, PKIStatusInfo } from './cmp/pki-status-info.js';
export type { PollRep, PollRepContent } from './cmp/poll-rep-content.js';
export type { PollReqContent } from './cmp/poll-req-content.js';
export { decodeRand, encodeRand } from './cmp/popo-dec-key-chall-content.js';
export type { Challenge, POPODecKeyChallContent, Rand } from './cmp/popo-dec-key-chall-content.js';
export type { POPODecKeyRespContent } from './cmp/popo-dec-key-resp-content.js';
export type { RevAnnContent } from './cmp/rev-ann-content.js';
export type { RevRepContent } from './cmp/rev-rep-content.js';
export type { RevDetails, RevReqContent } from './cmp/rev-req-content.js';
export type { RootCaKeyUpdateContent } from './cmp/root-ca-key-update-content.js';

// CRMF
export { decodeCertRequest, encodeCertRequest } from './crmf/cert-req-messages.js';
export type { CertReqMessages, CertReqMsg } from './crmf/cert-req-messages.js';
export type { CertId } from './crmf/cert-id.js';
export type { CertRequest } from './crmf/cert-request.js';
export type { CertTemplate, OptionalValidity } from './crmf/cert-template.js';
export type { Control, Controls } from './crmf/controls.js';
export { decodeEncKeyWithID, encodeEncKeyWithID } from './crmf/enc-key-with-id.js';
export type { EncKeyWithID, EncKeyWithIDIdentifier } from './crmf/enc-key-with-id.js';
export type { EncryptedKey } from './crmf/encrypted-key.js';
export type { EncryptedValue } from './crmf/encrypted-value.js';
export type { PKIArchiveOptions } from './crmf/pki-archive-options.js';
export type { PKIPublicationInfo, SinglePubInfo } from './crmf/pki-publication-info.js';
export { encodePOPOSigningKeyInput, SubsequentMessage } from './crmf/proof-of-possession.js';
export type { PKMACValue, POPOPrivKey, POPOSigningKey, POPOSigningKeyInput, ProofOfPossession } from './crmf/proof-of-possession.js';
export type { RegInfo } from './crmf/reg-info.js';

// Algorithm parameters
export { decodeDHBMParameter, encodeDHBMParameter } from './params/dhbm-parameter.js';
export type { DHBMParameter } from './params/dhbm-parameter.js';
export { decodeKemBMParameter, encodeKemBMParameter } from './params/kem-bm-parameter.js';
export type { KemBMParameter } from './params/kem-bm-parameter.js';
export { decodePBMParameter, encodePBMParameter } from './params/pbm-parameter.js';
export type { PBMParameter } from './params/pbm-parameter.js';
export { decodePBKDF2Params, decodePBMAC1Params, encodePBKDF2Params, encodePBMAC1Params } from './params/pbmac1-params.js';
export type { PBKDF2Params, PBMAC1Params } from './params/pbmac1-params.js';

// X.509 pieces
export { decodeAlgorithmIdentifier, encodeAlgorithmIdentifier } from './x509/algorithm-identifier.js';
export type { AlgorithmIdentifier } from './x509/algorithm-identifier.js';
export { decodeExtensions, encodeExtensions } from './x509/extensions.js';
export type { Extension, Extensions } from './x509/extensions.js';
export { decodeGeneralNames, encodeGeneralNames } from './x509/general-name.js';
export type { GeneralName, GeneralNames } from './x509/general-name.js';
export { KEY_USAGE_NAMES } from './x509/key-usage.js';
export type { KeyUsageName } from './x509/key-usage.js';
export { decodeName, encodeName } from './x509/name.js';
export type { AttributeTypeAndValue, Name, RelativeDistinguishedName } from './x509/name.js';
export { attributeValueText, nameToString, parseName } from './x509/name-text.js';
export { decodeSubjectPublicKeyInfo, encodeSubjectPublicKeyInfo } from './x509/subject-public-key-info.js';
export type { SubjectPublicKeyInfo } from './x509/subject-public-key-info.js';
export { decodeTime, timeOf } from './x509/time.js';
export type { Time } from './x509/time.js';

// DER
export type { BitString, DecodeOptions } from './der/reader.js';
export type { DerValue } from './der/der-value.js';

// Text forms
export { decodeBase64, encodeBase64 } from './text/base64.js';
export { decodePem, decodePemBlock, encodePem } from './text/pem.js';
export type { PemBlock } from './text/pem.js';

// Object identifiers
export { oidName, oids } from './oids.js';

// Errors
export { CmpError, isCmpError } from './errors/cmp-error.js';
export type { CmpErrorInit } from './errors/cmp-error.js';
export { DerError, isDerError } from './errors/der-error.js';
export type { DerErrorKind } from './errors/der-error.js';
export { EncodeError } from './errors/encode-error.js';
export { FAIL_INFO_NAMES, isFailInfo, PKIFailureInfo } from './errors/fail-info.js';
export type { FailInfo } from './errors/fail-info.js';
