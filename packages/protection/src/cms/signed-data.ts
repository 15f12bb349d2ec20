import { decodeAlgorithmIdentifier } from '@cmpkit/codec';
import { SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ProtectionError } from '../errors/protection-error.js';
import { hashOfOid } from './algorithms.js';
import { certificateFields, type CertificateFields } from './certificate-fields.js';
import { cmsOids } from './cms-oids.js';
import type { CmsSigner } from './cms-signer.js';
import {
  bytesOf,
  childrenOf,
  contentsOf,
  explicit,
  octetString,
  oid,
  oidText,
  readElement,
  retag,
  sequence,
  setOf,
  smallInteger,
  TAG,
  tlv,
  topLevel,
  type Element,
} from './der.js';
import { concat, equalBytes } from '../internal/bytes.js';
import {
  identifierType,
  issuerAndSerialNumber,
  namesIssuerAndSerial,
  namesSubjectKey,
  subjectKeyIdentifier,
} from './recipient-identifier.js';
import { signatureChoice, verifySignature } from './signature.js';
import { bufferOf, guard } from './webcrypto.js';

/** `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }` (RFC 5280 section 4.1.2.5 rule). */
function time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(0x17, new TextEncoder().encode(`${pad(year % 100)}${rest}`));
  return tlv(0x18, new TextEncoder().encode(`${pad(year, 4)}${rest}`));
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return sequence(oid(type), setOf([value]));
}

/** Options of {@link signContent}. */
export interface SignContentOptions {
  signer: CmsSigner;
  /** Adds the signingTime attribute (RFC 5652 section 11.3) with this time. */
  signingTime?: Date;
}

/**
 * Builds a SignedData (RFC 5652 section 5) over `eContent` of type `eContentType` with one
 * SignerInfo whose signed attributes are contentType, messageDigest and, on request,
 * signingTime (RFC 9483 section 4.1.6.1):
 *
 * ```asn1
 * SignedData ::= SEQUENCE {
 *   version CMSVersion,
 *   digestAlgorithms DigestAlgorithmIdentifiers,
 *   encapContentInfo EncapsulatedContentInfo,
 *   certificates [0] IMPLICIT CertificateSet OPTIONAL,
 *   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
 *   signerInfos SignerInfos }
 *
 * SignerInfo ::= SEQUENCE {
 *   version CMSVersion,
 *   sid SignerIdentifier,
 *   digestAlgorithm DigestAlgorithmIdentifier,
 *   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
 *   signatureAlgorithm SignatureAlgorithmIdentifier,
 *   signature SignatureValue,
 *   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
 * ```
 *
 * Certificates go in as the exact bytes given. Returns the SignedData DER (not a ContentInfo).
 */
export async function signContent(
  crypto: Crypto,
  eContentType: string,
  eContent: Uint8Array,
  options: SignContentOptions,
): Promise<Uint8Array> {
  const { signer } = options;
  const fields = certificateFields(signer.certificate);
  const choice = signatureChoice(crypto, signer.privateKey, signer.hash);
  const digest = new Uint8Array(
    await guard(() => crypto.subtle.digest(choice.digest, bufferOf(eContent)), 'badAlg', `${choice.digest} is not available`),
  );
  const attributes = [attribute(cmsOids.id_contentType, oid(eContentType)), attribute(cmsOids.id_messageDigest, octetString(digest))];
  if (options.signingTime) attributes.push(attribute(cmsOids.id_signingTime, time(options.signingTime)));
  const signedAttrs = setOf(attributes);
  const signature = await choice.sign(signedAttrs);

  const sidType = identifierType(fields, signer.signerIdentifier);
  const signerInfo = sequence(
    smallInteger(sidType === 'subjectKeyIdentifier' ? 3 : 1),
    sidType === 'subjectKeyIdentifier' ? subjectKeyIdentifier(fields, 0x80) : issuerAndSerialNumber(fields),
    choice.digestAlgorithm,
    retag(signedAttrs, 0xa0),
    choice.signatureAlgorithm,
    octetString(signature),
  );
  const certificates: Uint8Array[] = [];
  for (const cert of [signer.certificate, ...(signer.chain ?? [])]) {
    if (!certificates.some((c) => equalBytes(c, cert))) certificates.push(cert);
  }
  return sequence(
    smallInteger(3),
    setOf([choice.digestAlgorithm]),
    sequence(oid(eContentType), explicit(0, octetString(eContent))),
    setOf(certificates, 0xa0),
    setOf([signerInfo]),
  );
}

/** A verified SignedData. */
export interface VerifiedContent {
  eContentType: string;
  eContent: Uint8Array;
  /** The certificate whose key made the signature (exact bytes as carried). */
  signerCertificate: Uint8Array;
  /** The other certificates of `SignedData.certificates` (and of `extraCertificates`), in order. */
  signerChain: Uint8Array[];
}

function bad(message: string, cause?: unknown): never {
  throw new ProtectionError('badMessageCheck', message, cause);
}

/** Contents of an OCTET STRING, primitive or (BER) constructed. */
function octets(bytes: Uint8Array, element: Element, what: string): Uint8Array {
  if (element.tag === TAG.OCTET_STRING) return contentsOf(bytes, element);
  if (element.tag === 0x24) return concat(...childrenOf(bytes, element, what).map((c) => octets(bytes, c, what)));
  return bad(`${what} is not an OCTET STRING`);
}

/**
 * Verifies a SignedData (RFC 5652 section 5.6) with exactly one SignerInfo: the content type,
 * the signed attributes contentType and messageDigest, and the signature by the certificate the
 * `sid` names. Anything that does not verify is ProtectionError(badMessageCheck); unsupported
 * algorithms are badAlg. Does not judge whether the signer is trusted or authorised: that is the
 * caller's path check.
 */
export async function verifySignedContent(
  crypto: Crypto,
  signedData: Uint8Array,
  expectedContentType: string,
  extraCertificates: readonly Uint8Array[] = [],
): Promise<VerifiedContent> {
  let parsed: SignedData;
  let parts: Element[];
  try {
    parsed = AsnConvert.parse(bufferOf(signedData), SignedData);
    parts = topLevel(signedData, 'SignedData').children;
  } catch (error) {
    return bad('the decrypted content is not a SignedData', error);
  }
  const signerInfo = parsed.signerInfos[0];
  if (parsed.signerInfos.length !== 1 || !signerInfo) bad('SignedData must have exactly one SignerInfo');
  if (parsed.encapContentInfo.eContentType !== expectedContentType) {
    bad(`SignedData content type is ${parsed.encapContentInfo.eContentType}, expected ${expectedContentType}`);
  }
  // Exact bytes: eContent, certificates, signed attributes.
  const encap = parts[2];
  const certSet = parts.find((p) => p.tag === 0xa0);
  const signerInfosSet = parts[parts.length - 1];
  if (!encap || !signerInfosSet) return bad('malformed SignedData');
  const encapParts = childrenOf(signedData, encap, 'encapContentInfo');
  const eContentWrapper = encapParts[1];
  if (!eContentWrapper || eContentWrapper.tag !== 0xa0) return bad('SignedData has no encapsulated content');
  const eContentElement = childrenOf(signedData, eContentWrapper, 'eContent')[0];
  if (!eContentElement) return bad('SignedData has no encapsulated content');
  const eContent = octets(signedData, eContentElement, 'eContent');

  const certificates = certSet
    ? childrenOf(signedData, certSet, 'certificates')
        .filter((c) => c.tag === TAG.SEQUENCE)
        .map((c) => bytesOf(signedData, c))
    : [];
  const rawSignerInfo = childrenOf(signedData, signerInfosSet, 'signerInfos')[0];
  const signerInfoParts = rawSignerInfo ? childrenOf(signedData, rawSignerInfo, 'SignerInfo') : [];
  const attrsIndex = signerInfoParts.findIndex((p) => p.tag === 0xa0);
  const rawSignedAttrs = signerInfoParts[attrsIndex];
  const rawSignatureAlgorithm = signerInfoParts[attrsIndex + 1];
  const rawSignature = signerInfoParts[attrsIndex + 2];
  if (attrsIndex < 0 || !rawSignedAttrs || !signerInfo.signedAttrs) return bad('SignerInfo has no signed attributes');
  if (!rawSignatureAlgorithm || !rawSignature) return bad('malformed SignerInfo');

  // Signed attributes: exactly one contentType and one messageDigest, each with one value.
  const single = (type: string): Uint8Array => {
    const matches = signerInfo.signedAttrs?.filter((a) => a.attrType === type) ?? [];
    const value = matches[0]?.attrValues[0];
    if (matches.length !== 1 || matches[0]?.attrValues.length !== 1 || !value) {
      return bad(`signed attribute ${type} must appear once with one value`);
    }
    return new Uint8Array(value);
  };
  const contentType = single(cmsOids.id_contentType);
  const contentTypeElement = readElement(contentType, 0, 'contentType');
  if (contentTypeElement.tag !== TAG.OID || oidText(contentsOf(contentType, contentTypeElement)) !== parsed.encapContentInfo.eContentType) {
    bad('the contentType attribute does not match the content');
  }
  const messageDigest = single(cmsOids.id_messageDigest);
  const messageDigestElement = readElement(messageDigest, 0, 'messageDigest');
  if (messageDigestElement.tag !== TAG.OCTET_STRING) bad('malformed messageDigest attribute');
  const hash = hashOfOid(signerInfo.digestAlgorithm.algorithm, 'digest algorithm');
  const digest = new Uint8Array(await guard(() => crypto.subtle.digest(hash, bufferOf(eContent)), 'badAlg', `${hash} is not available`));
  if (!equalBytes(digest, contentsOf(messageDigest, messageDigestElement))) bad('messageDigest does not match the content');

  // The signer's certificate.
  const pool = [...certificates, ...extraCertificates];
  const sid = signerInfo.sid;
  let signer: CertificateFields | undefined;
  for (const der of pool) {
    let fields: CertificateFields;
    try {
      fields = certificateFields(der);
    } catch {
      continue;
    }
    const named = sid.subjectKeyIdentifier
      ? namesSubjectKey(sid.subjectKeyIdentifier.buffer, fields)
      : sid.issuerAndSerialNumber !== undefined && namesIssuerAndSerial(sid.issuerAndSerialNumber, fields);
    if (named) {
      signer = fields;
      break;
    }
  }
  if (!signer) return bad('the signer certificate is not available');

  const signedAttrs = retag(bytesOf(signedData, rawSignedAttrs), TAG.SET);
  const signatureAlgorithm = decodeAlgorithmIdentifier(bytesOf(signedData, rawSignatureAlgorithm));
  const signature = octets(signedData, rawSignature, 'signature');
  const ok = await verifySignature(crypto, signer, signatureAlgorithm, signedAttrs, signature, hash);
  if (!ok) bad('the SignedData signature does not verify');
  const signerCertificate = signer.der;
  return {
    eContentType: parsed.encapContentInfo.eContentType,
    eContent,
    signerCertificate,
    signerChain: pool.filter((c, i) => !equalBytes(c, signerCertificate) && pool.findIndex((d) => equalBytes(c, d)) === i),
  };
}
