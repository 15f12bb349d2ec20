import type { EncryptedKey } from '@cmpkit/codec';
import { cryptoOf } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { certificateFields } from './certificate-fields.js';
import { cmsOids } from './cms-oids.js';
import { decryptEncryptedValue } from './encrypted-value.js';
import { createEnvelopedData, openEnvelopedData, type EnvelopeOptions, type OpenEnvelopeOptions } from './enveloped-data.js';
import type { EnvelopedEncryptedKey } from './private-key-envelope.js';

/**
 * Encrypts a newly issued certificate for indirect proof-of-possession (RFC 9810 section
 * 5.2.8.3.2, `CertOrEncCert.encryptedCert`): an EnvelopedData with the certificate directly as
 * content (id-data), for the end entity's new key. The `rid` names the certificate being
 * encrypted, as CMS requires; the end entity may ignore it.
 */
export async function encryptCertificate(certificate: Uint8Array, options: EnvelopeOptions): Promise<EnvelopedEncryptedKey> {
  certificateFields(certificate);
  const der = await createEnvelopedData(certificate, {
    ...options,
    crypto: cryptoOf(options),
    contentType: cmsOids.id_data,
  });
  return { type: 'envelopedData', value: { der } };
}

/**
 * Decrypts `CertOrEncCert.encryptedCert` (RFC 9810 section 5.2.8.3.2): an EnvelopedData or the
 * deprecated EncryptedValue holding a certificate. Returns the certificate DER; the caller then
 * proves possession by sending its certHash in certConf.
 *
 * @throws ProtectionError badMessageCheck when the key does not open it or the content is not a
 *   certificate, badAlg for unsupported algorithms.
 */
export async function openEncryptedCertificate(encryptedKey: EncryptedKey, options: OpenEnvelopeOptions): Promise<Uint8Array> {
  const crypto = cryptoOf(options);
  let certificate: Uint8Array;
  if (encryptedKey.type === 'encryptedValue') {
    certificate = await decryptEncryptedValue(encryptedKey.value, { ...options, crypto });
  } else {
    const opened = await openEnvelopedData(encryptedKey.value.der, { ...options, crypto });
    if (opened.contentType !== cmsOids.id_data) {
      throw new ProtectionError('badMessageCheck', `the encrypted certificate has content type ${opened.contentType}`);
    }
    certificate = opened.content;
  }
  try {
    certificateFields(certificate);
  } catch (error) {
    throw new ProtectionError('badMessageCheck', 'the decrypted content is not a certificate', error);
  }
  return certificate;
}
