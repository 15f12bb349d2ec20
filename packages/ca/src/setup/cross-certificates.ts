import { oids } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import { derOf, extension, extensionOfAsn } from '../internal/asn.js';
import { buildCertificate } from '../internal/build-certificate.js';
import { readCertificate, type CertificateInfo } from '../internal/ca-certificate.js';
import { tlv } from '../internal/der.js';
import { cryptoOf } from '../internal/environment.js';
import { keyIdentifier } from '../internal/key-identifier.js';
import { randomSerialNumber } from '../internal/serial-number.js';
import { signerFor, type Signer } from '../internal/signer.js';
import type { KeyIdentifierMethod } from '../key-identifier-method.js';

/** A CA's certificate and private key. A {@link GeneratedCa} is one. */
export interface CaCredentials {
  /** The CA certificate (DER). */
  certificate: Uint8Array;
  /** Its private key. */
  privateKey: CryptoKey;
}

/** Options of {@link createCrossCertificates}. */
export interface CrossCertificateOptions {
  /** The WebCrypto implementation to use. Default: `globalThis.crypto`. */
  crypto?: Crypto;
  /** How a key identifier missing from a certificate is computed. Default: `'sha1'`. */
  keyIdentifierMethod?: KeyIdentifierMethod;
}

/**
 * The certificates of a root CA key update, RFC 9810 section 4.4 (the content of
 * RootCaKeyUpdateContent, section 5.3.19.15, and of CAKeyUpdAnnContent).
 */
export interface CrossCertificates {
  /** The new root's self-signed certificate, as given. */
  newWithNew: Uint8Array;
  /** The new public key, certified with the old private key (issuer: the old root's name). */
  newWithOld: Uint8Array;
  /** The old public key, certified with the new private key (issuer: the new root's name). */
  oldWithNew: Uint8Array;
}

async function linkCertificate(
  certified: CertificateInfo,
  signerInfo: CertificateInfo,
  signer: Signer,
  notBefore: Date,
  notAfter: Date,
  crypto: Crypto,
  method: KeyIdentifierMethod,
): Promise<Uint8Array> {
  const authorityKeyId = signerInfo.subjectKeyIdentifier ?? (await keyIdentifier(crypto, signerInfo.subjectPublicKey, method));
  const extensions = certified.extensions.filter((e) => e.extnID !== oids.id_ce_authorityKeyIdentifier).map(extensionOfAsn);
  if (!certified.subjectKeyIdentifier) {
    const ski = await keyIdentifier(crypto, certified.subjectPublicKey, method);
    extensions.push(extension(oids.id_ce_subjectKeyIdentifier, false, tlv(0x04, ski)));
  }
  extensions.push(extension(oids.id_ce_authorityKeyIdentifier, false, tlv(0x30, tlv(0x80, authorityKeyId))));
  return buildCertificate(
    {
      serialNumber: randomSerialNumber(crypto),
      issuer: signerInfo.subjectDer,
      subject: derOf(certified.subject),
      notBefore,
      notAfter,
      publicKey: certified.publicKey,
      extensions,
    },
    signer,
  );
}

/**
 * Makes the link certificates of a root CA key update (RFC 9810 section 4.4.1): `newWithOld`
 * certifies the new public key under the old key (validity: from the new certificate's notBefore
 * to the old certificate's notAfter), `oldWithNew` certifies the old public key under the new key
 * (validity: the old certificate's). Each keeps the certified certificate's subject and
 * extensions, with the signing key's authorityKeyIdentifier. `newWithNew` is `newCa.certificate`.
 *
 * An end entity that trusts the old root verifies the new root with `newWithOld`; one that
 * trusts the new root verifies certificates issued under the old one with `oldWithNew`.
 *
 * @throws IssuanceError `systemFailure` when a key does not match its certificate, a certificate
 *   does not parse, or the new certificate starts after the old one ends.
 */
export async function createCrossCertificates(
  oldCa: CaCredentials,
  newCa: CaCredentials,
  options: CrossCertificateOptions = {},
): Promise<CrossCertificates> {
  const crypto = cryptoOf(options.crypto);
  const method = options.keyIdentifierMethod ?? 'sha1';
  const oldInfo = readCertificate(oldCa.certificate, 'old CA certificate');
  const newInfo = readCertificate(newCa.certificate, 'new CA certificate');
  const oldSigner = signerFor(oldCa.privateKey, crypto);
  const newSigner = signerFor(newCa.privateKey, crypto);
  if (!(await oldSigner.matches(oldInfo.publicKey))) {
    throw new IssuanceError('systemFailure', 'the old CA private key does not match the old CA certificate');
  }
  if (!(await newSigner.matches(newInfo.publicKey))) {
    throw new IssuanceError('systemFailure', 'the new CA private key does not match the new CA certificate');
  }
  if (newInfo.notBefore.getTime() >= oldInfo.notAfter.getTime()) {
    throw new IssuanceError('systemFailure', 'the new CA certificate must start before the old one ends');
  }
  const newWithOld = await linkCertificate(newInfo, oldInfo, oldSigner, newInfo.notBefore, oldInfo.notAfter, crypto, method);
  const oldWithNew = await linkCertificate(oldInfo, newInfo, newSigner, oldInfo.notBefore, oldInfo.notAfter, crypto, method);
  return { newWithNew: newCa.certificate.slice(), newWithOld, oldWithNew };
}
