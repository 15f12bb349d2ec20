import type { AlgorithmIdentifier, CertReqMsg, Extension, GeneralName, InfoTypeAndValue, Name, SubjectPublicKeyInfo } from '@cmpkit/codec';
import type { CmsDecryptionKey } from '@cmpkit/protection';

/**
 * Central key generation (RFC 9483 section 4.1.6): the CA or a key generation authority (KGA)
 * makes the key pair and returns the private key enveloped for us.
 */
export interface CentralKeyGeneration {
  /**
   * The key algorithm to ask for (e.g. id-ecPublicKey with the curve as parameters), sent as the
   * template's publicKey with an empty subjectPublicKey. Omitted: the template has no publicKey
   * and the CA chooses.
   */
  algorithm?: AlgorithmIdentifier;
  /**
   * What opens the returned EnvelopedData: for a MAC client the shared secret
   * (`{ password }`), for a signature client its private key and certificate.
   */
  decryptionKey: CmsDecryptionKey;
}

/** What to ask for in an ir, cr, kur or p10cr. */
export interface EnrollOptions {
  /** ir (default), cr, kur, or p10cr (then `csr` is required). */
  bodyType?: 'ir' | 'cr' | 'kur' | 'p10cr';
  /** The new key pair: its public key goes in the template, its private key signs the POP. */
  keyPair?: CryptoKeyPair;
  /** The new public key when no private key is at hand (no POP is sent). */
  publicKey?: SubjectPublicKeyInfo;
  /**
   * How the end entity proves possession of `keyPair`'s private key. `'signature'` (RFC 4211
   * section 4.1) is the default for keys that sign; `'encrCert'` (RFC 9810 section 5.2.8.3.2,
   * indirect POP) asks for the certificate encrypted for the key, proven by certConf, and is the
   * default for ML-KEM keys, which cannot sign; `'challengeResp'` (RFC 9810 section 5.2.8.3.3)
   * has the CA send an encrypted challenge (popdecc) first, answered in popdecr.
   */
  proofOfPossession?: 'signature' | 'encrCert' | 'challengeResp';
  /** Ask the CA to generate the key pair (no keyPair, publicKey or POP). */
  centralKeyGeneration?: CentralKeyGeneration;
  /** A DER PKCS#10 request, for p10cr. */
  csr?: Uint8Array;
  subject?: Name;
  /** Written as a subjectAltName extension. */
  subjectAltNames?: GeneralName[];
  /** Further template extensions (DER values). */
  extensions?: Extension[];
  /** Requested validity. */
  validity?: { notBefore?: Date; notAfter?: Date };
  /** Requested issuer (usually left to the CA). */
  issuer?: Name;
  /** kur: the certificate being updated (its issuer and serial go in oldCertID). */
  oldCertificate?: Uint8Array;
  /** The certificate profile to use (RFC 9483 certProfile in generalInfo). */
  certProfile?: string;
  /** Ask for implicit confirmation; default from the client. */
  implicitConfirm?: boolean;
  /**
   * Do not confirm the new certificate: no certConf is sent even when the CA did not grant
   * implicit confirmation (OpenSSL's `-disable_confirm`). Non-standard: the CA may revoke the
   * certificate after its confirmWaitTime. Default false.
   */
  disableConfirm?: boolean;
  /**
   * Send this CertReqMsg as it is (an RA replacing an end entity's protection, RFC 9483 section
   * 5.2.3.1: the end entity's POP stays valid because its CertRequest is unchanged). Replaces
   * keyPair, publicKey, subject and the other template options.
   */
  certReqMsg?: CertReqMsg;
  /**
   * With `certReqMsg`: replace its POP by raVerified (RFC 9483 section 5.2.3.2), for an RA that
   * verified the POP itself; the CA accepts it only from an authorised RA.
   */
  raVerified?: boolean;
  /** Further generalInfo of the request (e.g. origPKIMessage, RFC 9810 section 5.1.1.3). */
  generalInfo?: InfoTypeAndValue[];
  signal?: AbortSignal;
}

/** A completed enrollment. */
export interface EnrollResult {
  /** DER of the new certificate. */
  certificate: Uint8Array;
  /** The verified path (new certificate first, anchor last) when it was checked. */
  path?: readonly Uint8Array[];
  caPubs: readonly Uint8Array[];
  extraCerts: readonly Uint8Array[];
  /** True when the CA granted implicit confirmation (no certConf was sent). */
  implicitConfirmGranted: boolean;
  /** accepted (0) or grantedWithMods (1). */
  status: number;
  transactionID: Uint8Array;
  /** Central key generation: the new private key as PKCS#8 DER, opened and checked. */
  privateKey?: Uint8Array;
}

/**
 * One step of an enrollment driven by the caller ({@link CmpClient.tryEnroll}, OpenSSL's
 * `OSSL_CMP_try_certreq`): either done, or waiting for the CA. Nothing sleeps; the caller waits
 * at least `checkAfter` seconds and then calls `next()` once, which sends one pollReq.
 */
export type EnrollStep =
  | { done: true; result: EnrollResult }
  | {
      done: false;
      /** Seconds the CA asks us to wait before `next()` (0: poll at once). */
      checkAfter: number;
      transactionID: Uint8Array;
      /** Sends the next pollReq (and, when the certificate arrives, the certConf). Call it once. */
      next(): Promise<EnrollStep>;
    };
