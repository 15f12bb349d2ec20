import type {
  AlgorithmIdentifier,
  CertId,
  CertReqTemplateContent,
  CertTemplate,
  CRLStatus,
  DecodedPKIMessage,
  InfoTypeAndValue,
  Name,
  PKIBodyType,
  RootCaKeyUpdateContent,
  SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import type { Requester } from './requester.js';

/** A certificate request the server has authenticated and checked (header, protection, POP). */
export interface CertificationRequest {
  /** ir, cr, kur, p10cr or ccr. */
  bodyType: PKIBodyType;
  /** The request's certReqId (-1 for p10cr). */
  certReqId: number;
  /** The certificate template (for p10cr: subject, key and extensions of the PKCS#10 request). */
  template: CertTemplate;
  /** The public key to certify; absent for central key generation. */
  publicKey?: SubjectPublicKeyInfo;
  /** Central key generation was requested (RFC 9483 section 4.1.6): the issuer generates the key. */
  centralKeyGeneration: boolean;
  /** The certificate profile asked for (generalInfo certProfile, or the HTTP `/p/<label>` path). */
  profile?: string;
  /** kur: the certificate being updated (DER), when its holder signed the request. */
  oldCertificate?: Uint8Array;
  /** kur: the oldCertID control, which names the certificate being updated (also when an RA signed). */
  oldCertID?: CertId;
  /** Who asked, as authenticated. */
  requester: Requester;
  /**
   * `'encrCert'` when the end entity proves possession indirectly (RFC 9810 section 5.2.8.3.2):
   * the certificate goes out encrypted for its key and is proven by the certHash of certConf, so
   * it must not be published before certConf. (`'challengeResp'` requests reach the issuer only
   * after their popdecr answered the challenge, without this field.)
   */
  proofOfPossession?: 'encrCert' | 'challengeResp';
  /** The DER PKCS#10 request of a p10cr. */
  csr?: Uint8Array;
  /** The transaction this request belongs to (hex). */
  transactionId: string;
  /**
   * The request message as received, with its exact bytes: what an RA sends on (the original
   * CertReqMsg and its POP, or origPKIMessage, RFC 9483 section 5.2.3).
   */
  received?: DecodedPKIMessage;
}

/** The issuer's answer to a {@link CertificationRequest}. */
export type CertificationResult =
  | {
      status: 'issued';
      /** DER of the new certificate. It must be stored before this promise resolves. */
      certificate: Uint8Array;
      /** The issuing chain (issuer first) sent in extraCerts. */
      chain?: readonly Uint8Array[];
      /** Trust anchors for the EE, sent as caPubs (usually the root, for ir). */
      caPubs?: readonly Uint8Array[];
      /** Central key generation: the new private key (PKCS#8), which the server envelopes. */
      privateKeyPkcs8?: Uint8Array;
      /** grantedWithMods when the certificate differs from the template. */
      modified?: boolean;
    }
  | {
      status: 'pending';
      /** Opaque reference the server hands back to {@link Issuer.poll}. */
      ticket: string;
      /** Seconds the EE should wait before polling. */
      checkAfter: number;
      /** Why it waits (sent as the pollRep reason). */
      reason?: string;
    };

/** A revocation request the server has authenticated and checked (RFC 9483 section 4.2). */
export interface RevocationRequest {
  issuer?: Name;
  serialNumber: bigint;
  /**
   * CRLReason code from the crlEntryDetails, if any. {@link Issuer.revoke} never sees
   * removeFromCRL (8): that is a revival, {@link Issuer.revive}.
   */
  reason?: number;
  requester: Requester;
}

/** A certificate the CA issued, as {@link Issuer.lookupCertificate} finds it. */
export interface IssuedCertificateRecord {
  /** The certificate (DER). */
  certificate: Uint8Array;
  /** Present when it is revoked: the CRLReason code (6, certificateHold, can be revived). */
  revocation?: { reason: number };
}

/**
 * The CA behind the server (STYLE.md P9): issues, revokes and answers support messages. The
 * engine does the protocol; the Issuer decides. Throw a `CmpError` (for example
 * `RequestRejectedError('badCertTemplate', ...)`) to refuse with its failInfo; its message goes to
 * the peer. Any other error becomes systemFailure with a generic text.
 */
export interface Issuer {
  /** Decides on one certificate request: issue now, or later (pending). */
  certify(request: CertificationRequest): Promise<CertificationResult>;
  /** Asks again about a pending request. */
  poll?(ticket: string, requester: Requester): Promise<CertificationResult>;
  /**
   * The EE confirmed (accepted true) or rejected a certificate, or confirmWaitTime expired
   * (accepted false). A rejected certificate must be revoked.
   */
  confirm(certificate: Uint8Array, accepted: boolean, reason?: string): Promise<void>;
  /** Revokes a certificate; throws RequestRejectedError('certRevoked') if it already is, 'badCertId' if unknown. */
  revoke(request: RevocationRequest): Promise<void>;
  /**
   * The certificate this CA issued with `serialNumber`, and whether it is revoked; undefined when
   * there is none. With it the server checks an rr against the certificate it names (issuer,
   * subject, public key, extensions: badCertId; already revoked: certRevoked) before `revoke`,
   * and can answer revivals.
   */
  lookupCertificate?(serialNumber: bigint): Promise<IssuedCertificateRecord | undefined>;
  /**
   * Takes a certificate off hold (an rr with reason removeFromCRL, RFC 5280 section 5.3.1): it is
   * no longer revoked and leaves the next CRL. Called only for a certificate that
   * `lookupCertificate` reports revoked with certificateHold.
   */
  revive?(request: RevocationRequest): Promise<void>;
  /**
   * True when `certificate` (DER) is one this CA issued and has revoked. Asked for the signer
   * certificate of every signature-protected request: a revoked signer is refused with
   * certRevoked. Without it only the certificate path is checked.
   */
  isRevoked?(certificate: Uint8Array): Promise<boolean>;
  /** CA certificates for genm caCerts. */
  caCertificates?(): Promise<readonly Uint8Array[]>;
  /** A root CA key update for the root the EE trusts (genm rootCaCert), or undefined. */
  rootCaKeyUpdate?(oldRoot: Uint8Array | undefined): Promise<RootCaKeyUpdateContent | undefined>;
  /** The request template of a profile (genm certReqTemplate), or undefined. */
  certReqTemplate?(profile: string | undefined): Promise<CertReqTemplateContent | undefined>;
  /**
   * CRLs newer than the statuses given (genm crlStatusList), DER; with no status, the current
   * CRLs (the first one answers genm currentCRL).
   */
  crls?(status: readonly CRLStatus[]): Promise<readonly Uint8Array[]>;
  /**
   * The public key algorithms the CA certifies for signing (`'signature'`, genm signKeyPairTypes)
   * or for encryption and key agreement (`'encryption'`, genm encKeyPairTypes), RFC 9810 sections
   * 5.3.19.2 and 5.3.19.3: one id-ecPublicKey per named curve. `profile` is the certificate
   * profile the genm names (certProfile or path), undefined for the CA as a whole.
   */
  keyPairTypes?(usage: 'signature' | 'encryption', profile: string | undefined): Promise<readonly AlgorithmIdentifier[]>;
  /**
   * A certificate the end entity may use to encrypt sensitive information for the CA during the
   * protocol (genm caProtEncCert, RFC 9810 section 5.3.19.1), DER, or undefined when there is none.
   */
  protocolEncryptionCertificate?(): Promise<Uint8Array | undefined>;
  /**
   * Any other infotype; return undefined when it is not supported: the genp then lists it in
   * unsupportedOIDs (RFC 9810 section 5.3.19.7).
   */
  generalMessage?(item: InfoTypeAndValue, requester: Requester): Promise<InfoTypeAndValue | undefined>;
}
