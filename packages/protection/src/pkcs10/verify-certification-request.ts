import {
  decodeAlgorithmIdentifier,
  decodeExtensions,
  decodeName,
  decodeSubjectPublicKeyInfo,
  oids,
  type AlgorithmIdentifier,
  type Extension,
  type Name,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import { cryptoOf } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { childrenOf, readSingle, type Tlv } from '../internal/der.js';
import { algorithmsOf, type AlgorithmOptions } from '../options.js';
import { checkRequestedKeySize } from '../pop/requested-key-size.js';

/** What a verified PKCS #10 request asks for. */
export interface VerifiedCertificationRequest {
  subject: Name;
  subjectPublicKeyInfo: SubjectPublicKeyInfo;
  /** The extensions of its extensionRequest attribute (RFC 2985 section 5.4.2), if any. */
  extensions: readonly Extension[];
  signatureAlgorithm: AlgorithmIdentifier;
}

const what = 'PKCS #10 request';

function bad(detail: string, cause?: unknown): never {
  throw new ProtectionError('badDataFormat', `${what}: ${detail}`, cause);
}

function extensionsOf(data: Uint8Array, attributes: Tlv | undefined): Extension[] {
  if (!attributes) return [];
  for (const attribute of childrenOf(data, attributes, what)) {
    // Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY } has AlgorithmIdentifier's shape.
    const { algorithm: type, parameters } = decodeAlgorithmIdentifier(data.subarray(attribute.start, attribute.end));
    if (type !== oids.id_extensionRequest || !parameters) continue;
    const set = readSingle(parameters.der, what, 0x31);
    const [value] = childrenOf(parameters.der, set, what);
    if (!value) bad('extensionRequest without a value');
    return decodeExtensions(parameters.der.subarray(value.start, value.end));
  }
  return [];
}

/**
 * Parses a DER PKCS #10 CertificationRequest (RFC 2986) and verifies its self-signature over the
 * received bytes of certificationRequestInfo: the proof of possession of a p10cr.
 *
 * @throws ProtectionError badPOP when the signature does not verify, badAlg for an unknown
 *   algorithm, badDataFormat when the request is malformed, badCertTemplate for a version other
 *   than v1 or an RSA key above 16384 bits.
 */
export async function verifyCertificationRequest(csr: Uint8Array, options: AlgorithmOptions = {}): Promise<VerifiedCertificationRequest> {
  let info: Tlv,
    subject: Name,
    spki: SubjectPublicKeyInfo,
    spkiDer: Uint8Array,
    signatureAlgorithm: AlgorithmIdentifier,
    signature: Uint8Array,
    extensions: Extension[];
  try {
    const outer = readSingle(csr, what, 0x30);
    const [infoTlv, algTlv, sigTlv, ...rest] = childrenOf(csr, outer, what);
    if (!infoTlv || !algTlv || !sigTlv || rest.length) bad('expected certificationRequestInfo, signatureAlgorithm and signature');
    info = infoTlv;
    const [version, subjectTlv, spkiTlv, attributes, ...more] = childrenOf(csr, info, what);
    if (!version || !subjectTlv || !spkiTlv || more.length) bad('malformed certificationRequestInfo');
    if (version.tag !== 0x02) bad('version is not an INTEGER');
    if (version.end - version.contentStart !== 1 || csr[version.contentStart] !== 0) {
      // A well-formed request asking for another version: its content, not its format, is wrong.
      throw new ProtectionError('badCertTemplate', `${what}: version is not v1 (0)`);
    }
    if (attributes && attributes.tag !== 0xa0) bad('attributes must be [0] IMPLICIT SET OF Attribute');
    subject = decodeName(csr.subarray(subjectTlv.start, subjectTlv.end));
    spkiDer = csr.subarray(spkiTlv.start, spkiTlv.end);
    spki = decodeSubjectPublicKeyInfo(spkiDer);
    extensions = extensionsOf(csr, attributes);
    signatureAlgorithm = decodeAlgorithmIdentifier(csr.subarray(algTlv.start, algTlv.end));
    if (sigTlv.tag !== 0x03 || csr[sigTlv.contentStart] !== 0) bad('signature is not a BIT STRING of whole octets');
    signature = csr.subarray(sigTlv.contentStart + 1, sigTlv.end);
  } catch (error) {
    if (error instanceof ProtectionError) throw error;
    bad('cannot be parsed', error);
  }
  checkRequestedKeySize(spki, what);
  const crypto = cryptoOf(options);
  const algorithm = algorithmsOf(options).signature(signatureAlgorithm);
  const key = await algorithm.importPublicKey(crypto, spkiDer, spki);
  if (!(await algorithm.verify(crypto, key, signature, csr.subarray(info.start, info.end)))) {
    throw new ProtectionError('badPOP', `${what}: the signature does not verify with the requested key`);
  }
  return { subject, subjectPublicKeyInfo: spki, extensions, signatureAlgorithm };
}
