import { decodeAlgorithmIdentifier, decodeSubjectPublicKeyInfo } from '@cmpkit/codec';
import { certificateFields } from './certificate-fields.js';
import { ProtectionError } from '../errors/protection-error.js';
import { decapsulate, encapsulate, mlKemNameOf, type MlKemName } from '../kem/ml-kem.js';
import { aesOfWrapOid, type AesVariant } from './algorithms.js';
import type { CertificateFields } from './certificate-fields.js';
import { cmsOids } from './cms-oids.js';
import type { KemRecipient } from './cms-recipient.js';
import {
  algorithmIdentifier,
  bytesOf,
  childrenOf,
  contentsOf,
  explicit,
  octetString,
  oid,
  oidText,
  readElement,
  sequence,
  smallInteger,
  TAG,
  tlv,
  type Element,
} from './der.js';
import { identifierType, issuerAndSerialNumber, subjectKeyIdentifier } from './recipient-identifier.js';
import { bufferOf, guard } from './webcrypto.js';

/** RFC 9629 section 3: `id-ori-kem`, the oriType of KEMRecipientInfo. */
export const id_ori_kem = cmsOids.id_ori_kem;

const HKDF: Readonly<Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'>> = {
  [cmsOids.id_alg_hkdf_with_sha256]: 'SHA-256',
  [cmsOids.id_alg_hkdf_with_sha384]: 'SHA-384',
  [cmsOids.id_alg_hkdf_with_sha512]: 'SHA-512',
};

/** The key wrap per parameter set (the LAMPS "ML-KEM in CMS" specification): AES-128 for ML-KEM-512, AES-256 otherwise. */
function wrapOf(name: MlKemName): AesVariant {
  return aesOfWrapOid(name === 'ML-KEM-512' ? cmsOids.id_aes128_wrap : cmsOids.id_aes256_wrap)!;
}

/**
 * CMSORIforKEMOtherInfo (RFC 9629 section 5), the `info` of the KDF:
 *
 * ```asn1
 * CMSORIforKEMOtherInfo ::= SEQUENCE {
 *   wrap KeyEncryptionAlgorithmIdentifier,
 *   kekLength INTEGER (1..65535),
 *   ukm [0] EXPLICIT UserKeyingMaterial OPTIONAL }
 * ```
 */
function kemOtherInfo(wrap: Uint8Array, kekLength: number, ukm: Uint8Array | undefined): Uint8Array {
  return sequence(wrap, smallInteger(kekLength), ...(ukm ? [explicit(0, octetString(ukm))] : []));
}

async function keyEncryptionKey(
  crypto: Crypto,
  hash: 'SHA-256' | 'SHA-384' | 'SHA-512',
  sharedSecret: Uint8Array,
  info: Uint8Array,
  kekLength: number,
  usage: 'wrapKey' | 'unwrapKey',
): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey('raw', bufferOf(sharedSecret), 'HKDF', false, ['deriveBits']);
  const kek = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash, salt: new Uint8Array(0), info: bufferOf(info) } as HkdfParams,
    ikm,
    kekLength * 8,
  );
  return crypto.subtle.importKey('raw', kek, { name: 'AES-KW' }, false, [usage]);
}

/**
 * KEMRecipientInfo (RFC 9629) in an OtherRecipientInfo of type id-ori-kem, for the ML-KEM key
 * of the recipient's certificate:
 *
 * ```asn1
 * KEMRecipientInfo ::= SEQUENCE {
 *   version CMSVersion,  -- always set to 0
 *   rid RecipientIdentifier,
 *   kem KEMAlgorithmIdentifier,
 *   kemct OCTET STRING,
 *   kdf KeyDerivationAlgorithmIdentifier,
 *   kekLength INTEGER (1..65535),
 *   ukm [0] EXPLICIT UserKeyingMaterial OPTIONAL,
 *   wrap KeyEncryptionAlgorithmIdentifier,
 *   encryptedKey EncryptedKey }
 * ```
 *
 * The KEK is HKDF (SHA-256 unless `kdfHash` says otherwise; empty salt) of the KEM shared
 * secret with CMSORIforKEMOtherInfo as info; it wraps the content-encryption key with AES key
 * wrap (AES-128 for ML-KEM-512, AES-256 for ML-KEM-768/1024).
 */
export async function buildKemRecipientInfo(
  crypto: Crypto,
  recipient: KemRecipient,
  fields: CertificateFields,
  contentKey: CryptoKey,
): Promise<Uint8Array> {
  const name = mlKemNameOf(fields.publicKeyAlgorithm);
  if (!name) throw new ProtectionError('badAlg', 'KEMRecipientInfo needs an ML-KEM recipient certificate');
  const { kemCiphertextInfo, sharedSecret } = await encapsulate(fields.subjectPublicKeyInfo, { crypto });
  const hash = recipient.kdfHash ?? 'SHA-256';
  const kdfOid = Object.keys(HKDF).find((o) => HKDF[o] === hash)!;
  const variant = wrapOf(name);
  const wrap = algorithmIdentifier(variant.wrap);
  const info = kemOtherInfo(wrap, variant.keyLength, recipient.ukm);
  const encryptedKey = await guard(
    async () => {
      const kek = await keyEncryptionKey(crypto, hash, sharedSecret, info, variant.keyLength, 'wrapKey');
      return new Uint8Array(await crypto.subtle.wrapKey('raw', contentKey, kek, 'AES-KW'));
    },
    'badAlg',
    `${name} KEMRecipientInfo: key derivation or key wrap failed`,
  );
  const ridType = identifierType(fields, recipient.recipientIdentifier);
  const rid = ridType === 'subjectKeyIdentifier' ? subjectKeyIdentifier(fields, 0x80) : issuerAndSerialNumber(fields);
  const kemri = sequence(
    smallInteger(0),
    rid,
    algorithmIdentifier(kemCiphertextInfo.kem.algorithm),
    octetString(kemCiphertextInfo.ct),
    algorithmIdentifier(kdfOid),
    smallInteger(variant.keyLength),
    ...(recipient.ukm ? [explicit(0, octetString(recipient.ukm))] : []),
    wrap,
    octetString(encryptedKey),
  );
  return tlv(0xa4, oid(id_ori_kem), kemri); // ori [4] IMPLICIT OtherRecipientInfo
}

/**
 * The recipient's fields: from its certificate, or for a requested key (popdecc) the key with a
 * NULL-DN issuer and the certReqId as serial number (RFC 9810 section 5.2.8.3.3).
 */
export function kemRecipientFields(recipient: KemRecipient): CertificateFields {
  if (recipient.certificate) return certificateFields(recipient.certificate);
  const requested = recipient.requestedKey;
  if (!requested) throw new ProtectionError('badRequest', 'a KEM recipient needs a certificate or a requested key');
  const spki = requested.subjectPublicKeyInfo;
  return {
    der: new Uint8Array(0),
    issuer: sequence(),
    serialNumber: smallInteger(requested.certReqId),
    subjectPublicKeyInfo: spki,
    publicKeyAlgorithm: decodeSubjectPublicKeyInfo(spki).algorithm,
  };
}

/** A received KEMRecipientInfo, as far as opening it needs. */
export interface ReceivedKemRecipientInfo {
  kem: string;
  kemct: Uint8Array;
  kdfHash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  kekLength: number;
  ukm?: Uint8Array;
  wrap: AesVariant;
  wrapDer: Uint8Array;
  encryptedKey: Uint8Array;
}

/**
 * Reads an `ori [4]` RecipientInfo; undefined when it is not a KEMRecipientInfo. Unsupported KDFs
 * and key wraps are badAlg, malformed structures badDataFormat.
 */
export function readKemRecipientInfo(der: Uint8Array, ori: Element): ReceivedKemRecipientInfo | undefined {
  const what = 'KEMRecipientInfo';
  const [type, value] = childrenOf(der, ori, what);
  if (type?.tag !== TAG.OID || oidText(contentsOf(der, type)) !== id_ori_kem) return undefined;
  if (value?.tag !== TAG.SEQUENCE) throw new ProtectionError('badDataFormat', 'malformed KEMRecipientInfo');
  const fields = childrenOf(der, value, what);
  const [version, , kem, kemct, kdf, kekLength] = fields;
  let at = 6;
  let ukm: Uint8Array | undefined;
  if (fields[at]?.tag === 0xa0) {
    const inner = readElement(der, fields[at]!.contentStart, what);
    ukm = contentsOf(der, inner);
    at++;
  }
  const wrap = fields[at];
  const encryptedKey = fields[at + 1];
  if (
    version?.tag !== TAG.INTEGER ||
    kem?.tag !== TAG.SEQUENCE ||
    kemct?.tag !== TAG.OCTET_STRING ||
    kdf?.tag !== TAG.SEQUENCE ||
    kekLength?.tag !== TAG.INTEGER ||
    wrap?.tag !== TAG.SEQUENCE ||
    encryptedKey?.tag !== TAG.OCTET_STRING ||
    fields.length !== at + 2
  ) {
    throw new ProtectionError('badDataFormat', 'malformed KEMRecipientInfo');
  }
  const v = contentsOf(der, version);
  if (v.length !== 1 || v[0] !== 0) throw new ProtectionError('badDataFormat', 'KEMRecipientInfo version must be 0');
  const kdfId = decodeAlgorithmIdentifier(bytesOf(der, kdf));
  const kdfHash = HKDF[kdfId.algorithm];
  if (!kdfHash || kdfId.parameters) throw new ProtectionError('badAlg', `KEMRecipientInfo: unsupported KDF ${kdfId.algorithm}`);
  const wrapDer = bytesOf(der, wrap);
  const wrapId = decodeAlgorithmIdentifier(wrapDer);
  const variant = aesOfWrapOid(wrapId.algorithm);
  if (!variant) throw new ProtectionError('badAlg', `KEMRecipientInfo: unsupported key wrap ${wrapId.algorithm}`);
  const length = contentsOf(der, kekLength);
  const kekBytes = length.length <= 3 ? length.reduce((n, b) => n * 256 + b, 0) : -1;
  if (kekBytes !== variant.keyLength)
    throw new ProtectionError('badAlg', `KEMRecipientInfo: kekLength ${kekBytes} does not fit ${wrapId.algorithm}`);
  const received: ReceivedKemRecipientInfo = {
    kem: decodeAlgorithmIdentifier(bytesOf(der, kem)).algorithm,
    kemct: contentsOf(der, kemct),
    kdfHash,
    kekLength: kekBytes,
    wrap: variant,
    wrapDer,
    encryptedKey: contentsOf(der, encryptedKey),
  };
  if (ukm) received.ukm = ukm;
  return received;
}

/** Recovers the content-encryption key of a KEMRecipientInfo with the ML-KEM private key. */
export async function openKemRecipientInfo(
  crypto: Crypto,
  kemri: ReceivedKemRecipientInfo,
  privateKey: CryptoKey | Uint8Array,
): Promise<Uint8Array> {
  const sharedSecret = await decapsulate({ kem: { algorithm: kemri.kem }, ct: kemri.kemct }, privateKey, { crypto });
  const info = kemOtherInfo(kemri.wrapDer, kemri.kekLength, kemri.ukm);
  return guard(
    async () => {
      const kek = await keyEncryptionKey(crypto, kemri.kdfHash, sharedSecret, info, kemri.kekLength, 'unwrapKey');
      const key = await crypto.subtle.unwrapKey('raw', bufferOf(kemri.encryptedKey), kek, 'AES-KW', { name: 'AES-CBC' }, true, ['decrypt']);
      return new Uint8Array(await crypto.subtle.exportKey('raw', key));
    },
    'badMessageCheck',
    'KEMRecipientInfo: the key does not unwrap the content-encryption key (wrong key or tampered)',
  );
}
