import { decodeAlgorithmIdentifier, type AlgorithmIdentifier } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { cmsOids } from './cms-oids.js';
import { bytesOf, childrenOf, contentsOf, oidText, readElement, TAG, topLevel } from './der.js';

/**
 * The few fields of an X.509 certificate the CMS layer needs, as the exact bytes found in the
 * certificate (never re-encoded), so identifiers built from them match the certificate.
 */
export interface CertificateFields {
  /** The whole certificate. */
  der: Uint8Array;
  /** `issuer` Name, DER. */
  issuer: Uint8Array;
  /** `serialNumber` INTEGER, DER (tag and length included). */
  serialNumber: Uint8Array;
  /** `subjectPublicKeyInfo`, DER. */
  subjectPublicKeyInfo: Uint8Array;
  /** Algorithm of the subject public key. */
  publicKeyAlgorithm: AlgorithmIdentifier;
  /** keyIdentifier of the subjectKeyIdentifier extension, when present. */
  subjectKeyIdentifier?: Uint8Array;
}

/** Reads {@link CertificateFields} from a DER certificate; ProtectionError(badDataFormat) if it is not one. */
export function certificateFields(der: Uint8Array): CertificateFields {
  const what = 'certificate';
  const { element, children } = topLevel(der, what);
  const tbs = children[0];
  if (element.tag !== TAG.SEQUENCE || !tbs || tbs.tag !== TAG.SEQUENCE) {
    throw new ProtectionError('badDataFormat', 'malformed certificate');
  }
  const parts = childrenOf(der, tbs, what);
  const offset = parts[0]?.tag === 0xa0 ? 1 : 0;
  const serial = parts[offset];
  const issuer = parts[offset + 2];
  const spki = parts[offset + 5];
  if (!serial || serial.tag !== TAG.INTEGER || !issuer || issuer.tag !== TAG.SEQUENCE || !spki || spki.tag !== TAG.SEQUENCE) {
    throw new ProtectionError('badDataFormat', 'malformed certificate');
  }
  const spkiParts = childrenOf(der, spki, what);
  const algorithm = spkiParts[0];
  if (!algorithm) throw new ProtectionError('badDataFormat', 'malformed certificate');
  const fields: CertificateFields = {
    der,
    issuer: bytesOf(der, issuer),
    serialNumber: bytesOf(der, serial),
    subjectPublicKeyInfo: bytesOf(der, spki),
    publicKeyAlgorithm: decodeAlgorithmIdentifier(bytesOf(der, algorithm)),
  };
  const extensions = parts.find((p) => p.tag === 0xa3);
  if (extensions) {
    const list = readElement(der, extensions.contentStart, what);
    for (const extension of childrenOf(der, list, what)) {
      const [id, second, third] = childrenOf(der, extension, what);
      if (!id || id.tag !== TAG.OID) continue;
      const value = third ?? second;
      if (!value || value.tag !== TAG.OCTET_STRING) continue;
      if (oidText(contentsOf(der, id)) !== cmsOids.id_ce_subjectKeyIdentifier) continue;
      const inner = contentsOf(der, value);
      const keyId = readElement(inner, 0, 'subjectKeyIdentifier');
      if (keyId.tag === TAG.OCTET_STRING && keyId.end === inner.length) {
        fields.subjectKeyIdentifier = contentsOf(inner, keyId);
      }
    }
  }
  return fields;
}
