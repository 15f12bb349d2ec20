import type { KeyTransRecipientInfo } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { decodeAlgorithmIdentifier, type AlgorithmIdentifier } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { oidOfHash, type HashName } from './algorithms.js';
import type { CertificateFields } from './certificate-fields.js';
import { cmsOids } from './cms-oids.js';
import type { KeyTransRecipient } from './cms-recipient.js';
import { algorithmIdentifier, contentsOf, explicit, octetString, readElement, sequence, smallInteger, TAG } from './der.js';
import { readRsaParameters } from './rsa-parameters.js';
import { privateKeyFor } from './private-key.js';
import { identifierType, issuerAndSerialNumber, subjectKeyIdentifier } from './recipient-identifier.js';
import { bufferOf, guard } from './webcrypto.js';

/** `RSAES-OAEP-params` with `hash` for OAEP and MGF1 and the default (empty) label (RFC 4055 section 4.1). */
function oaepParameters(hash: HashName): Uint8Array {
  const hashId = algorithmIdentifier(oidOfHash(hash));
  return sequence(explicit(0, hashId), explicit(1, algorithmIdentifier(cmsOids.id_mgf1, hashId)));
}

/**
 * KeyTransRecipientInfo (RFC 5652 section 6.2.1):
 *
 * ```asn1
 * KeyTransRecipientInfo ::= SEQUENCE {
 *   version CMSVersion,  -- always set to 0 or 2
 *   rid RecipientIdentifier,
 *   keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *   encryptedKey EncryptedKey }
 *
 * RecipientIdentifier ::= CHOICE {
 *   issuerAndSerialNumber IssuerAndSerialNumber,
 *   subjectKeyIdentifier [0] SubjectKeyIdentifier }
 * ```
 *
 * The content-encryption key is encrypted with RSAES-OAEP (RFC 3560).
 */
export async function buildKeyTransRecipientInfo(
  crypto: Crypto,
  recipient: KeyTransRecipient,
  fields: CertificateFields,
  contentKey: Uint8Array,
): Promise<{ recipientInfo: Uint8Array; version: number }> {
  if (fields.publicKeyAlgorithm.algorithm !== cmsOids.rsaEncryption && fields.publicKeyAlgorithm.algorithm !== cmsOids.id_RSAES_OAEP) {
    throw new ProtectionError('badAlg', 'key transport needs an RSA recipient certificate');
  }
  const hash = recipient.oaepHash ?? 'SHA-256';
  const encryptedKey = await guard(
    async () => {
      const publicKey = await crypto.subtle.importKey('spki', bufferOf(fields.subjectPublicKeyInfo), { name: 'RSA-OAEP', hash }, false, [
        'encrypt',
      ]);
      return new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, bufferOf(contentKey)));
    },
    'badAlg',
    'RSA-OAEP encryption of the content-encryption key failed',
  );
  const ridType = identifierType(fields, recipient.recipientIdentifier);
  const version = ridType === 'subjectKeyIdentifier' ? 2 : 0;
  const rid = ridType === 'subjectKeyIdentifier' ? subjectKeyIdentifier(fields, 0x80) : issuerAndSerialNumber(fields);
  const recipientInfo = sequence(
    smallInteger(version),
    rid,
    algorithmIdentifier(cmsOids.id_RSAES_OAEP, oaepParameters(hash)),
    octetString(encryptedKey),
  );
  return { recipientInfo, version };
}

interface OaepChoice {
  hash: HashName;
  label?: Uint8Array;
}

/** Reads RSAES-OAEP-params (absent parameters mean all defaults: SHA-1). */
export function oaepChoice(parameters: Uint8Array | undefined): OaepChoice {
  const params = readRsaParameters(parameters, 'RSAES-OAEP parameters');
  const choice: OaepChoice = { hash: params.hash };
  if (params.field2) {
    const source = decodeAlgorithmIdentifier(params.field2);
    if (source.algorithm !== cmsOids.id_pSpecified) {
      throw new ProtectionError('badAlg', `unsupported OAEP label source ${source.algorithm}`);
    }
    const label = source.parameters?.der;
    if (label) {
      const element = readElement(label, 0, 'OAEP label');
      if (element.tag !== TAG.OCTET_STRING) throw new ProtectionError('badDataFormat', 'malformed OAEP label');
      if (element.contentEnd > element.contentStart) choice.label = contentsOf(label, element);
    }
  }
  return choice;
}

/** RSA-OAEP decryption of an encrypted content-encryption key (KeyTransRecipientInfo or EncryptedValue). */
export async function decryptWithOaep(
  crypto: Crypto,
  algorithm: AlgorithmIdentifier,
  privateKey: CryptoKey | Uint8Array,
  encryptedKey: Uint8Array,
): Promise<Uint8Array> {
  if (algorithm.algorithm === cmsOids.rsaEncryption) {
    throw new ProtectionError('badAlg', 'RSAES-PKCS1-v1_5 key transport is not offered by WebCrypto; use RSAES-OAEP');
  }
  if (algorithm.algorithm !== cmsOids.id_RSAES_OAEP) {
    throw new ProtectionError('badAlg', `unsupported key transport algorithm ${algorithm.algorithm}`);
  }
  const choice = oaepChoice(algorithm.parameters?.der);
  const key = await privateKeyFor(crypto, privateKey, { name: 'RSA-OAEP', hash: choice.hash }, ['decrypt']);
  const params: RsaOaepParams = { name: 'RSA-OAEP' };
  if (choice.label) params.label = bufferOf(choice.label);
  return guard(
    async () => new Uint8Array(await crypto.subtle.decrypt(params, key, bufferOf(encryptedKey))),
    'badMessageCheck',
    'RSA-OAEP decryption of the content-encryption key failed (wrong key?)',
  );
}

/** Recovers the content-encryption key from a KeyTransRecipientInfo. */
export async function openKeyTransRecipientInfo(
  crypto: Crypto,
  ktri: KeyTransRecipientInfo,
  privateKey: CryptoKey | Uint8Array,
): Promise<Uint8Array> {
  const algorithm = decodeAlgorithmIdentifier(new Uint8Array(AsnConvert.serialize(ktri.keyEncryptionAlgorithm)));
  return decryptWithOaep(crypto, algorithm, privateKey, new Uint8Array(ktri.encryptedKey.buffer));
}
