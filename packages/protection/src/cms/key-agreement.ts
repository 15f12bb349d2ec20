import type { KeyAgreeRecipientInfo } from '@peculiar/asn1-cms';
import { decodeAlgorithmIdentifier } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import {
  aesOfWrapOid,
  coordinateLength,
  curveOfOid,
  hashLength,
  hashOfCurve,
  kdfHashOfScheme,
  schemeOfKdfHash,
  type AesVariant,
  type HashName,
  type NamedCurve,
} from './algorithms.js';
import type { CertificateFields } from './certificate-fields.js';
import { cmsOids } from './cms-oids.js';
import type { KeyAgreeRecipient } from './cms-recipient.js';
import { algorithmIdentifier, contentsOf, explicit, octetString, oidText, readElement, sequence, smallInteger, TAG, tlv } from './der.js';
import { concat } from '../internal/bytes.js';
import { privateKeyFor } from './private-key.js';
import {
  identifierType,
  issuerAndSerialNumber,
  namesIssuerAndSerial,
  namesSubjectKey,
  subjectKeyIdentifier,
} from './recipient-identifier.js';
import { bufferOf, guard } from './webcrypto.js';

/** The named curve of an id-ecPublicKey AlgorithmIdentifier, if it names one. */
export function namedCurveOf(parameters: Uint8Array | undefined): NamedCurve | undefined {
  if (!parameters || parameters[0] !== TAG.OID) return undefined;
  const element = readElement(parameters, 0, 'ECParameters');
  return curveOfOid(oidText(contentsOf(parameters, element)));
}

/**
 * ECC-CMS-SharedInfo (RFC 5753 section 7.2), the KDF's SharedInfo:
 *
 * ```asn1
 * ECC-CMS-SharedInfo ::= SEQUENCE {
 *   keyInfo         AlgorithmIdentifier,
 *   entityUInfo [0] EXPLICIT OCTET STRING OPTIONAL,
 *   suppPubInfo [2] EXPLICIT OCTET STRING }
 * ```
 *
 * `keyInfo` is the key-wrap algorithm (AES wraps have absent parameters); `suppPubInfo` the
 * key-encryption key's length in bits as a 32-bit big-endian number.
 */
function sharedInfo(wrapOid: string, keyLength: number, ukm: Uint8Array | undefined): Uint8Array {
  const bits = keyLength * 8;
  const suppPubInfo = Uint8Array.of(bits >>> 24, (bits >>> 16) & 0xff, (bits >>> 8) & 0xff, bits & 0xff);
  return sequence(algorithmIdentifier(wrapOid), ...(ukm ? [explicit(0, octetString(ukm))] : []), explicit(2, octetString(suppPubInfo)));
}

/** The ANSI X9.63 KDF (SEC 1 section 3.6.1): Hash(Z || counter || SharedInfo), counter from 1. */
async function x963Kdf(crypto: Crypto, hash: HashName, z: Uint8Array, length: number, info: Uint8Array): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  for (let counter = 1; blocks.length * hashLength(hash) < length; counter++) {
    const c = Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff);
    blocks.push(new Uint8Array(await crypto.subtle.digest(hash, bufferOf(concat(z, c, info)))));
  }
  return concat(...blocks).subarray(0, length);
}

async function keyEncryptionKey(
  crypto: Crypto,
  hash: HashName,
  z: Uint8Array,
  wrap: AesVariant,
  ukm: Uint8Array | undefined,
  usage: 'wrapKey' | 'unwrapKey',
): Promise<CryptoKey> {
  const kek = await x963Kdf(crypto, hash, z, wrap.keyLength, sharedInfo(wrap.wrap, wrap.keyLength, ukm));
  return crypto.subtle.importKey('raw', bufferOf(kek), { name: 'AES-KW' }, false, [usage]);
}

/**
 * KeyAgreeRecipientInfo (RFC 5652 section 6.2.2) for ephemeral-static ECDH (RFC 5753 section 3.1):
 *
 * ```asn1
 * KeyAgreeRecipientInfo ::= SEQUENCE {
 *   version CMSVersion,  -- always set to 3
 *   originator [0] EXPLICIT OriginatorIdentifierOrKey,
 *   ukm [1] EXPLICIT UserKeyingMaterial OPTIONAL,
 *   keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *   recipientEncryptedKeys RecipientEncryptedKeys }
 *
 * OriginatorIdentifierOrKey ::= CHOICE {
 *   issuerAndSerialNumber IssuerAndSerialNumber,
 *   subjectKeyIdentifier [0] SubjectKeyIdentifier,
 *   originatorKey [1] OriginatorPublicKey }
 *
 * OriginatorPublicKey ::= SEQUENCE {
 *   algorithm AlgorithmIdentifier,
 *   publicKey BIT STRING }
 *
 * RecipientEncryptedKey ::= SEQUENCE {
 *   rid KeyAgreeRecipientIdentifier,
 *   encryptedKey EncryptedKey }
 *
 * KeyAgreeRecipientIdentifier ::= CHOICE {
 *   issuerAndSerialNumber IssuerAndSerialNumber,
 *   rKeyId [0] IMPLICIT RecipientKeyIdentifier }
 * ```
 *
 * The originator key is a fresh ephemeral key on the recipient's curve (id-ecPublicKey with
 * absent parameters, uncompressed point); the key-encryption key comes from the X9.63 KDF and
 * wraps the content-encryption key with AES key wrap of the same size (RFC 9481 section 4.3.1).
 */
export async function buildKeyAgreeRecipientInfo(
  crypto: Crypto,
  recipient: KeyAgreeRecipient,
  fields: CertificateFields,
  contentKey: CryptoKey,
  variant: AesVariant,
): Promise<Uint8Array> {
  if (fields.publicKeyAlgorithm.algorithm !== cmsOids.id_ecPublicKey) {
    throw new ProtectionError('badAlg', 'key agreement needs an EC recipient certificate');
  }
  const curve = namedCurveOf(fields.publicKeyAlgorithm.parameters?.der);
  if (!curve) throw new ProtectionError('badAlg', 'the recipient key is not on a named curve');
  const hash = recipient.kdfHash ?? hashOfCurve(curve);
  const scheme = schemeOfKdfHash(hash);
  const { ephemeralPublic, encryptedKey } = await guard(
    async () => {
      const ecdh = { name: 'ECDH', namedCurve: curve };
      const peer = await crypto.subtle.importKey('spki', bufferOf(fields.subjectPublicKeyInfo), ecdh, false, []);
      const ephemeral = (await crypto.subtle.generateKey(ecdh, false, ['deriveBits'])) as CryptoKeyPair;
      const z = new Uint8Array(
        await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, ephemeral.privateKey, coordinateLength(curve) * 8),
      );
      const kek = await keyEncryptionKey(crypto, hash, z, variant, recipient.ukm, 'wrapKey');
      return {
        ephemeralPublic: new Uint8Array(await crypto.subtle.exportKey('raw', ephemeral.publicKey)),
        encryptedKey: new Uint8Array(await crypto.subtle.wrapKey('raw', contentKey, kek, 'AES-KW')),
      };
    },
    'badAlg',
    `ECDH on ${curve} with AES key wrap failed`,
  );
  const ridType = identifierType(fields, recipient.recipientIdentifier);
  const rid =
    ridType === 'subjectKeyIdentifier' ? tlv(0xa0, subjectKeyIdentifier(fields, TAG.OCTET_STRING)) : issuerAndSerialNumber(fields);
  const originatorKey = tlv(0xa1, algorithmIdentifier(cmsOids.id_ecPublicKey), tlv(TAG.BIT_STRING, Uint8Array.of(0), ephemeralPublic));
  return tlv(
    0xa1,
    smallInteger(3),
    explicit(0, originatorKey),
    ...(recipient.ukm ? [explicit(1, octetString(recipient.ukm))] : []),
    algorithmIdentifier(scheme, algorithmIdentifier(variant.wrap)),
    sequence(sequence(rid, octetString(encryptedKey))),
  );
}

/**
 * Recovers the content-encryption key from a KeyAgreeRecipientInfo with an EC private key; tries
 * the RecipientEncryptedKey naming `certificate` first, then the others. Returns undefined when
 * none opens.
 */
export async function openKeyAgreeRecipientInfo(
  crypto: Crypto,
  kari: KeyAgreeRecipientInfo,
  privateKey: CryptoKey | Uint8Array,
  curve: NamedCurve,
  certificate: CertificateFields | undefined,
): Promise<Uint8Array | undefined> {
  const originator = kari.originator.originatorKey;
  if (!originator) {
    throw new ProtectionError('badAlg', 'only ephemeral-static ECDH (originatorKey) is supported');
  }
  if (originator.algorithm.algorithm !== cmsOids.id_ecPublicKey) {
    throw new ProtectionError('badAlg', `unsupported originator key algorithm ${originator.algorithm.algorithm}`);
  }
  const originatorParams = originator.algorithm.parameters;
  const originatorCurve = originatorParams ? namedCurveOf(new Uint8Array(originatorParams)) : undefined;
  if (originatorCurve && originatorCurve !== curve) {
    throw new ProtectionError('badMessageCheck', 'the originator key is on another curve than the private key');
  }
  const hash = kdfHashOfScheme(kari.keyEncryptionAlgorithm.algorithm);
  const wrapParams = kari.keyEncryptionAlgorithm.parameters;
  if (!wrapParams) throw new ProtectionError('badDataFormat', 'the key-wrap algorithm is missing');
  const wrapAlgorithm = decodeAlgorithmIdentifier(new Uint8Array(wrapParams));
  const wrap = aesOfWrapOid(wrapAlgorithm.algorithm);
  if (!wrap) throw new ProtectionError('badAlg', `unsupported key-wrap algorithm ${wrapAlgorithm.algorithm}`);
  const ukm = kari.ukm ? new Uint8Array(kari.ukm.buffer) : undefined;

  const key = await privateKeyFor(crypto, privateKey, { name: 'ECDH', namedCurve: curve }, ['deriveBits']);
  const kek = await guard(
    async () => {
      const peer = await crypto.subtle.importKey(
        'raw',
        bufferOf(new Uint8Array(originator.publicKey)),
        { name: 'ECDH', namedCurve: curve },
        false,
        [],
      );
      const z = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, key, coordinateLength(curve) * 8));
      return keyEncryptionKey(crypto, hash, z, wrap, ukm, 'unwrapKey');
    },
    'badMessageCheck',
    'ECDH key agreement failed (bad originator key?)',
  );

  const entries = [...kari.recipientEncryptedKeys];
  if (certificate) {
    const named = (e: (typeof entries)[number]): boolean =>
      e.rid.rKeyId
        ? namesSubjectKey(e.rid.rKeyId.subjectKeyIdentifier.buffer, certificate)
        : e.rid.issuerAndSerialNumber !== undefined && namesIssuerAndSerial(e.rid.issuerAndSerialNumber, certificate);
    entries.sort((a, b) => Number(named(b)) - Number(named(a)));
  }
  for (const entry of entries) {
    try {
      const unwrapped = await crypto.subtle.unwrapKey(
        'raw',
        bufferOf(new Uint8Array(entry.encryptedKey.buffer)),
        kek,
        'AES-KW',
        { name: 'AES-CBC' },
        true,
        ['decrypt'],
      );
      return new Uint8Array(await crypto.subtle.exportKey('raw', unwrapped));
    } catch {
      // not ours, or tampered: try the next one
    }
  }
  return undefined;
}
