import { ContentInfo } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import type { EncryptedKey } from '@cmpkit/codec';
import { cryptoOf } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { cmsOids } from './cms-oids.js';
import type { CmsSigner } from './cms-signer.js';
import { bytesOf, sequence, topLevel, TAG } from './der.js';
import { decryptEncryptedValue } from './encrypted-value.js';
import { createEnvelopedData, openEnvelopedData, type EnvelopeOptions, type OpenEnvelopeOptions } from './enveloped-data.js';
import { oneAsymmetricKeyAlgorithm } from './private-key.js';
import { signContent, verifySignedContent } from './signed-data.js';
import { bufferOf } from './webcrypto.js';

/** Options of {@link envelopePrivateKey}. */
export interface EnvelopePrivateKeyOptions extends EnvelopeOptions {
  /** The key generation authority (or CA) that signs the key package. */
  signer: CmsSigner;
  /** Adds a signingTime signed attribute with this time (RFC 9483 says SHOULD). */
  signingTime?: Date;
}

/** `EncryptedKey` in its envelopedData alternative (RFC 9810 section 5.2.2), as the codec types it. */
export type EnvelopedEncryptedKey = Extract<EncryptedKey, { type: 'envelopedData' }>;

/**
 * Packs a centrally generated private key for the end entity (RFC 9483 section 4.1.6, RFC 9810
 * section 5.2.2): the PKCS#8 key as the one OneAsymmetricKey of an AsymmetricKeyPackage (RFC 5958,
 * content type id-ct-KP-aKeyPackage), signed in a SignedData by the key generation authority
 * (signed attributes contentType and messageDigest), then enveloped for exactly one recipient
 * (encryptedContentInfo.contentType id-signedData).
 *
 * ```asn1
 * AsymmetricKeyPackage ::= SEQUENCE SIZE (1..MAX) OF OneAsymmetricKey
 * ```
 *
 * The result goes into `CertifiedKeyPair.privateKey`.
 */
export async function envelopePrivateKey(privateKeyPkcs8: Uint8Array, options: EnvelopePrivateKeyOptions): Promise<EnvelopedEncryptedKey> {
  const crypto = cryptoOf(options);
  oneAsymmetricKeyAlgorithm(privateKeyPkcs8);
  const keyPackage = sequence(privateKeyPkcs8);
  const signed = await signContent(crypto, cmsOids.id_ct_KP_aKeyPackage, keyPackage, {
    signer: options.signer,
    ...(options.signingTime ? { signingTime: options.signingTime } : {}),
  });
  const der = await createEnvelopedData(signed, {
    ...options,
    crypto,
    contentType: cmsOids.id_signedData,
  });
  return { type: 'envelopedData', value: { der } };
}

/** Options of {@link openEnvelopedPrivateKey}. */
export interface OpenPrivateKeyOptions extends OpenEnvelopeOptions {
  /** Certificates to find the KGA's certificate among when the SignedData does not carry it. */
  extraCertificates?: readonly Uint8Array[];
}

/**
 * A private key opened from `CertifiedKeyPair.privateKey`. The envelopedData form carries the
 * signer's certificate: check it is authorised to generate keys (id-kp-cmKGA or the issuing CA)
 * with the path check before using the key. The deprecated encryptedValue form has no signature.
 */
export type OpenedPrivateKey =
  | {
      form: 'envelopedData';
      /** The key as OneAsymmetricKey / PKCS#8 DER, exactly as packed. */
      privateKeyPkcs8: Uint8Array;
      /** The certificate that verified the SignedData signature. */
      signerCertificate: Uint8Array;
      /** The other certificates the SignedData carried (plus `extraCertificates`). */
      signerChain: Uint8Array[];
    }
  | {
      form: 'encryptedValue';
      /** The key as PKCS#8 DER. */
      privateKeyPkcs8: Uint8Array;
    };

/**
 * The SignedData inside an EnvelopedData. RFC 9483 says contentType id-signedData with the bare
 * SignedData; generic CMS tools (`openssl cms -encrypt`) label it id-data and may wrap it in a
 * ContentInfo, which is accepted too: the signature check that follows is what matters.
 */
function signedDataOf(contentType: string, content: Uint8Array): Uint8Array {
  if (contentType === cmsOids.id_signedData) return content;
  if (contentType !== cmsOids.id_data) {
    throw new ProtectionError('badMessageCheck', `the EnvelopedData holds ${contentType}, not a SignedData`);
  }
  try {
    const info = AsnConvert.parse(bufferOf(content), ContentInfo);
    if (info.contentType === cmsOids.id_signedData) return new Uint8Array(info.content);
  } catch {
    // not a ContentInfo: a bare SignedData labelled id-data
  }
  return content;
}

/**
 * Opens a centrally generated private key (RFC 9483 section 4.1.6): decrypts the EnvelopedData
 * with the end entity's private key or the shared secret, verifies the SignedData (signature,
 * contentType, messageDigest) and returns the key with the signer's certificate. Also opens the
 * deprecated EncryptedValue form (RSA-OAEP only).
 *
 * The caller must still check that the signer certificate is trusted and authorised.
 *
 * @throws ProtectionError badMessageCheck (wrong key or password, bad signature, tampering),
 *   badAlg (unsupported algorithms), badDataFormat (malformed structures).
 */
export async function openEnvelopedPrivateKey(encryptedKey: EncryptedKey, options: OpenPrivateKeyOptions): Promise<OpenedPrivateKey> {
  const crypto = cryptoOf(options);
  if (encryptedKey.type === 'encryptedValue') {
    const privateKeyPkcs8 = await decryptEncryptedValue(encryptedKey.value, { ...options, crypto });
    checkPrivateKey(privateKeyPkcs8);
    return { form: 'encryptedValue', privateKeyPkcs8 };
  }
  const { contentType, content } = await openEnvelopedData(encryptedKey.value.der, {
    ...options,
    crypto,
  });
  const verified = await verifySignedContent(
    crypto,
    signedDataOf(contentType, content),
    cmsOids.id_ct_KP_aKeyPackage,
    options.extraCertificates,
  );
  const privateKeyPkcs8 = singleKey(verified.eContent);
  return {
    form: 'envelopedData',
    privateKeyPkcs8,
    signerCertificate: verified.signerCertificate,
    signerChain: verified.signerChain,
  };
}

function checkPrivateKey(der: Uint8Array): void {
  try {
    oneAsymmetricKeyAlgorithm(der);
  } catch (error) {
    throw new ProtectionError('badMessageCheck', 'the decrypted content is not a PKCS#8 private key', error);
  }
}

function singleKey(keyPackage: Uint8Array): Uint8Array {
  let key: Uint8Array | undefined;
  try {
    const { element, children } = topLevel(keyPackage, 'AsymmetricKeyPackage');
    const first = children[0];
    if (element.tag === TAG.SEQUENCE && children.length === 1 && first) key = bytesOf(keyPackage, first);
  } catch {
    key = undefined;
  }
  if (!key) throw new ProtectionError('badDataFormat', 'the AsymmetricKeyPackage must hold exactly one key');
  checkPrivateKey(key);
  return key;
}
