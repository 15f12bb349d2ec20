import { decodeAlgorithmIdentifier, type AlgorithmIdentifier } from '@cmpkit/codec';
import { KeyAgreeRecipientInfo, KeyTransRecipientInfo } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { cryptoOf, type CryptoOptions } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import type { ContentEncryptionAlgorithm } from './algorithms.js';
import { certificateFields, type CertificateFields } from './certificate-fields.js';
import { cmsOids } from './cms-oids.js';
import type { CmsDecryptionKey, CmsRecipient } from './cms-recipient.js';
import { contentAlgorithmOf, decryptContent, encryptContent, importContentKey } from './content-encryption.js';
import { bytesOf, childrenOf, contentsOf, octetString, oid, oidText, retag, sequence, setOf, smallInteger, TAG, topLevel } from './der.js';
import { concat } from '../internal/bytes.js';
import { buildKeyAgreeRecipientInfo, openKeyAgreeRecipientInfo } from './key-agreement.js';
import { buildKeyTransRecipientInfo, openKeyTransRecipientInfo } from './key-transport.js';
import {
  buildKemRecipientInfo,
  kemRecipientFields,
  openKemRecipientInfo,
  readKemRecipientInfo,
  type ReceivedKemRecipientInfo,
} from './kem-recipient.js';
import {
  buildPasswordRecipientInfo,
  openPasswordRecipientInfo,
  readPasswordRecipientInfo,
  type PasswordRecipientInfo,
} from './password-recipient.js';
import { privateKeyKind } from './private-key.js';
import { namesIssuerAndSerial, namesSubjectKey } from './recipient-identifier.js';
import { bufferOf } from './webcrypto.js';
import { keyDeriverOf } from '../kdf/inline-key-deriver.js';
import type { KeyDerivationOptions } from '../kdf/password-key-deriver.js';

/** Options of {@link createEnvelopedData} and the functions built on it. */
export interface EnvelopeOptions extends CryptoOptions, KeyDerivationOptions {
  /** The one recipient. */
  recipient: CmsRecipient;
  /** Default `'AES-256-CBC'`. */
  contentEncryption?: ContentEncryptionAlgorithm;
}

/** Options of {@link createEnvelopedData}. */
export interface CreateEnvelopedDataOptions extends EnvelopeOptions {
  /** `EncryptedContentInfo.contentType`. Default id-data. */
  contentType?: string;
}

/**
 * Encrypts `content` for one recipient as a CMS EnvelopedData (RFC 5652 section 6, as profiled
 * by RFC 9810 section 5.2.2 and RFC 9483 section 4.1.6): a fresh AES-CBC content-encryption key
 * protected by key transport, key agreement, key encapsulation (RFC 9629) or a password.
 *
 * ```asn1
 * EnvelopedData ::= SEQUENCE {
 *   version CMSVersion,
 *   originatorInfo [0] IMPLICIT OriginatorInfo OPTIONAL,
 *   recipientInfos RecipientInfos,
 *   encryptedContentInfo EncryptedContentInfo,
 *   unprotectedAttrs [1] IMPLICIT UnprotectedAttributes OPTIONAL }
 *
 * EncryptedContentInfo ::= SEQUENCE {
 *   contentType ContentType,
 *   contentEncryptionAlgorithm ContentEncryptionAlgorithmIdentifier,
 *   encryptedContent [0] IMPLICIT EncryptedContent OPTIONAL }
 * ```
 *
 * Returns the EnvelopedData DER (a SEQUENCE, not wrapped in a ContentInfo), as CMP carries it in
 * `EncryptedKey.envelopedData`, `POPOPrivKey.encryptedKey` and `Challenge.encryptedRand`.
 */
export async function createEnvelopedData(content: Uint8Array, options: CreateEnvelopedDataOptions): Promise<Uint8Array> {
  const crypto = cryptoOf(options);
  const encrypted = await encryptContent(crypto, options.contentEncryption ?? 'AES-256-CBC', content);
  const { recipient } = options;
  let recipientInfo: Uint8Array;
  let version: number;
  switch (recipient.type) {
    case 'ktri': {
      const built = await buildKeyTransRecipientInfo(crypto, recipient, certificateFields(recipient.certificate), encrypted.raw);
      recipientInfo = built.recipientInfo;
      version = built.version; // RFC 5652 6.1: 0 when all RecipientInfos are version 0, else 2
      break;
    }
    case 'kari':
      recipientInfo = await buildKeyAgreeRecipientInfo(
        crypto,
        recipient,
        certificateFields(recipient.certificate),
        encrypted.key,
        encrypted.variant,
      );
      version = 2;
      break;
    case 'pwri':
      recipientInfo = await buildPasswordRecipientInfo(
        crypto,
        keyDeriverOf(options),
        recipient,
        encrypted.key,
        encrypted.raw,
        encrypted.variant,
      );
      version = 3; // RFC 5652 6.1: pwri present
      break;
    case 'kemri':
      recipientInfo = await buildKemRecipientInfo(crypto, recipient, kemRecipientFields(recipient), encrypted.key);
      version = 3; // RFC 5652 6.1: ori present
      break;
    default:
      throw new ProtectionError('badAlg', `unknown recipient type ${String((recipient as { type: unknown }).type)}`);
  }
  return sequence(
    smallInteger(version),
    setOf([recipientInfo]),
    sequence(oid(options.contentType ?? cmsOids.id_data), encrypted.algorithm, octetString(encrypted.ciphertext, 0x80)),
  );
}

/** Options of {@link openEnvelopedData} and the functions built on it. */
export interface OpenEnvelopeOptions extends CryptoOptions, KeyDerivationOptions {
  /** The end entity's private key, or the shared password. */
  key: CmsDecryptionKey;
}

/** What an EnvelopedData held. */
export interface EnvelopedContent {
  /** `EncryptedContentInfo.contentType`. */
  contentType: string;
  /** The decrypted content. */
  content: Uint8Array;
}

type ReceivedRecipientInfo =
  | { type: 'ktri'; value: KeyTransRecipientInfo }
  | { type: 'kari'; value: KeyAgreeRecipientInfo }
  | { type: 'pwri'; value: PasswordRecipientInfo }
  | { type: 'kemri'; value: ReceivedKemRecipientInfo }
  | { type: 'other' };

interface ReceivedEnvelopedData {
  recipientInfos: ReceivedRecipientInfo[];
  contentType: string;
  contentEncryptionAlgorithm: AlgorithmIdentifier;
  encryptedContent: Uint8Array;
}

/**
 * Reads an EnvelopedData. The outer structure and PasswordRecipientInfo are walked here
 * (`@peculiar/asn1-cms` reads PasswordRecipientInfo's `[0]` as EXPLICIT); KeyTransRecipientInfo
 * and KeyAgreeRecipientInfo come from `@peculiar/asn1-cms`. BER from other tools is accepted.
 */
function parseEnvelopedData(der: Uint8Array): ReceivedEnvelopedData {
  const what = 'EnvelopedData';
  try {
    const { element, children } = topLevel(der, what);
    const at = children[1]?.tag === 0xa0 ? 2 : 1;
    const infos = children[at];
    const eci = children[at + 1];
    if (element.tag !== TAG.SEQUENCE || children[0]?.tag !== TAG.INTEGER || infos?.tag !== TAG.SET || eci?.tag !== TAG.SEQUENCE) {
      throw new ProtectionError('badDataFormat', 'malformed EnvelopedData');
    }
    const recipientInfos = childrenOf(der, infos, what).map((ri): ReceivedRecipientInfo => {
      const raw = bytesOf(der, ri);
      if (ri.tag === TAG.SEQUENCE) return { type: 'ktri', value: AsnConvert.parse(bufferOf(raw), KeyTransRecipientInfo) };
      if (ri.tag === 0xa1)
        return {
          type: 'kari',
          value: AsnConvert.parse(bufferOf(retag(raw, TAG.SEQUENCE)), KeyAgreeRecipientInfo),
        };
      if (ri.tag === 0xa3) return { type: 'pwri', value: readPasswordRecipientInfo(der, ri) };
      if (ri.tag === 0xa4) {
        const kemri = readKemRecipientInfo(der, ri);
        if (kemri) return { type: 'kemri', value: kemri };
      }
      return { type: 'other' };
    });
    const [type, algorithm, content] = childrenOf(der, eci, what);
    if (type?.tag !== TAG.OID || algorithm?.tag !== TAG.SEQUENCE)
      throw new ProtectionError('badDataFormat', 'malformed EncryptedContentInfo');
    let encryptedContent: Uint8Array;
    if (content?.tag === 0x80) encryptedContent = contentsOf(der, content);
    else if (content?.tag === 0xa0) encryptedContent = concat(...childrenOf(der, content, what).map((c) => contentsOf(der, c)));
    else throw new ProtectionError('badDataFormat', 'EnvelopedData without encryptedContent');
    return {
      recipientInfos,
      contentType: oidText(contentsOf(der, type)),
      contentEncryptionAlgorithm: decodeAlgorithmIdentifier(bytesOf(der, algorithm)),
      encryptedContent,
    };
  } catch (error) {
    if (error instanceof ProtectionError) throw error;
    throw new ProtectionError('badDataFormat', 'malformed EnvelopedData', error);
  }
}

function ridNames(ktri: KeyTransRecipientInfo, fields: CertificateFields): boolean {
  const rid = ktri.rid;
  if (rid.subjectKeyIdentifier) return namesSubjectKey(rid.subjectKeyIdentifier.buffer, fields);
  if (rid.issuerAndSerialNumber) return namesIssuerAndSerial(rid.issuerAndSerialNumber, fields);
  return false;
}

/**
 * Decrypts a CMS EnvelopedData (RFC 5652 section 6) with the end entity's private key (RSA for
 * KeyTransRecipientInfo, EC for KeyAgreeRecipientInfo, ML-KEM for KEMRecipientInfo) or a password (PasswordRecipientInfo with
 * AES key wrap or id-alg-PWRI-KEK). Content encryption AES-128/192/256-CBC.
 *
 * @throws ProtectionError badMessageCheck when the key or password does not open it (or the
 *   content was tampered with), badAlg for algorithms it does not support, badDataFormat for a
 *   malformed structure.
 */
export async function openEnvelopedData(envelopedData: Uint8Array, options: OpenEnvelopeOptions): Promise<EnvelopedContent> {
  const crypto = cryptoOf(options);
  const enveloped = parseEnvelopedData(envelopedData);
  const algorithm = contentAlgorithmOf(enveloped.contentEncryptionAlgorithm);
  const ciphertext = enveloped.encryptedContent;
  const { key } = options;
  const { recipientInfos } = enveloped;

  type Attempt = () => Promise<Uint8Array | undefined>;
  const attempts: Attempt[] = [];
  if ('password' in key) {
    for (const ri of recipientInfos) {
      if (ri.type === 'pwri')
        attempts.push(() => openPasswordRecipientInfo(crypto, keyDeriverOf(options), ri.value, key.password, key.maxIterationCount));
    }
  } else {
    const kind = privateKeyKind(key.privateKey);
    const fields = key.certificate ? certificateFields(key.certificate) : undefined;
    if (kind.kind === 'rsa') {
      const ktris = recipientInfos.flatMap((ri) => (ri.type === 'ktri' ? [ri.value] : []));
      if (fields) ktris.sort((a, b) => Number(ridNames(b, fields)) - Number(ridNames(a, fields)));
      for (const ktri of ktris) attempts.push(() => openKeyTransRecipientInfo(crypto, ktri, key.privateKey));
    } else if (kind.kind === 'ec') {
      for (const ri of recipientInfos) {
        if (ri.type === 'kari') attempts.push(() => openKeyAgreeRecipientInfo(crypto, ri.value, key.privateKey, kind.curve, fields));
      }
    } else if (kind.kind === 'ml-kem') {
      for (const ri of recipientInfos) {
        if (ri.type === 'kemri') attempts.push(() => openKemRecipientInfo(crypto, ri.value, key.privateKey));
      }
    } else {
      throw new ProtectionError('badAlg', `${kind.name} private keys cannot open an EnvelopedData`);
    }
  }
  if (attempts.length === 0) {
    throw new ProtectionError('badMessageCheck', 'the EnvelopedData has no RecipientInfo for this kind of key');
  }
  let failure: unknown;
  for (const attempt of attempts) {
    try {
      const raw = await attempt();
      if (!raw) continue;
      const contentKey = await importContentKey(crypto, algorithm, raw);
      const content = await decryptContent(crypto, algorithm, contentKey, ciphertext);
      return { contentType: enveloped.contentType, content };
    } catch (error) {
      if (error instanceof ProtectionError && (error.failInfo.includes('badAlg') || error.failInfo.includes('badDataFormat'))) throw error;
      failure = error;
    }
  }
  throw new ProtectionError('badMessageCheck', 'the key or password does not open the EnvelopedData', failure);
}
