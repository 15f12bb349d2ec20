import type { Name } from '@cmpkit/codec';
import type { AlgorithmRegistry, MacBoundsOverrides, ProtectionCredential, ProtectionTrust } from '@cmpkit/protection';
import type { RuntimeInit } from '../runtime.js';
import type { Transport } from '../transport.js';
import type { IssuedCertificate, CertificateDecision } from './certificate-decision.js';
import type { EnrollOptions } from './enroll-options.js';
import type { PollWait } from './poll-wait.js';

/** Construction input of {@link createClient}. */
export interface ClientInit extends RuntimeInit {
  /** Carries every request; no other code sends. */
  transport: Transport;
  /**
   * How requests are protected: a shared secret and its reference (MAC), or a key with its
   * certificate (signature). Omit only to send unprotected requests (servers normally refuse them).
   */
  credential?: ProtectionCredential;
  /**
   * How responses are verified. Default for a MAC credential: the same secret. A signature
   * credential needs this (the CA's trust anchors, or the server certificate pinned).
   */
  trust?: ProtectionTrust;
  /**
   * header.sender. Default: the subject of the signature credential's certificate, else the
   * subject of the certificate template, else the NULL-DN.
   */
  sender?: Name;
  /** header.recipient: the CA or RA. Default: the NULL-DN. */
  recipient?: Name;
  /**
   * Trust anchors for the certificates we get (the issued one, root CA updates). When none are
   * configured, the caPubs of a MAC-protected response serve (RFC 9483 section 4.1.1), and without
   * either the path of the new certificate is not checked.
   */
  trustAnchors?: readonly Uint8Array[];
  /** Further intermediate certificates for building paths. */
  untrusted?: readonly Uint8Array[];
  /**
   * Protect requests with KEM-based MAC (RFC 9810 section 5.1.3.4, Appendix E Figure 3): each
   * transaction starts with an unprotected genm KemCiphertextInfo carrying this ML-KEM
   * certificate; the server's signed genp brings a ciphertext, whose decapsulated secret keys the
   * MAC of every request of that transaction. For end entities whose key cannot sign. Needs
   * `trust.signature` (the genp must be signed by the CA).
   */
  kem?: { privateKey: CryptoKey; certificate: Uint8Array; chain?: readonly Uint8Array[] };
  /**
   * The server's ML-KEM certificate (RFC 9810 Appendix E Figure 4): the first request of every
   * transaction carries a KemCiphertextInfo encapsulated to it, and the server may protect its
   * responses with KEM-based MAC keyed from that shared secret (verified with it).
   */
  serverKemCertificate?: Uint8Array;
  /** Ask for implicit confirmation (RFC 9810 5.1.1.1). Default false. */
  implicitConfirm?: boolean;
  /**
   * Accept responses that only refuse (error messages, and ip/cp/kup/rp whose every status is
   * rejection) without protection or with protection that does not verify, as OpenSSL's
   * `-unprotected_errors` does. They still end the call with a RemoteError. Default false.
   */
  unprotectedErrors?: boolean;
  /** Largest accepted difference of a response's messageTime from our clock, in seconds. Default 600; `Infinity` disables. */
  messageTimeTolerance?: number;
  /** Longest total time spent polling for one request, in seconds. Default 600. */
  pollTimeout?: number;
  /**
   * Told each time the server asks to wait (a waiting answer, a pollRep), before the wait: what it
   * said and when the next pollReq goes (see {@link PollWait}). For progress reports; a throw is
   * logged and changes nothing.
   */
  onWaiting?: (wait: PollWait) => void;
  /** Decides whether to accept a newly issued certificate (after cmpkit's own checks). Default: accept. */
  onCertificate?: (certificate: IssuedCertificate) => CertificateDecision | Promise<CertificateDecision>;
  /** pvno of the requests. Default 2 (cmp2000); 3 is used automatically where RFC 9810 requires it. */
  pvno?: 2 | 3;
  /** Algorithms known and allowed for protection. Default: protection's default set. */
  algorithms?: AlgorithmRegistry;
  /** Bounds on MAC parameters, ours and the peer's. */
  macBounds?: MacBoundsOverrides;
  /** Accept SHA-1 signatures from the peer. Default false. */
  allowSha1?: boolean;
  /** Largest response accepted, in bytes. Default 1 MiB. */
  maxResponseBytes?: number;
  /**
   * Re-enroll by itself when a verified revocation announcement (rann) with status
   * revocationWarning names the certificate of the signature credential and willBeRevokedAt is
   * still ahead: a kur with a new key pair. The client then protects its requests with the new
   * certificate. Default: off (the announcement is only reported).
   */
  autoRenew?: AutoRenewOptions;
}

/** How {@link ClientInit.autoRenew} re-enrolls. */
export interface AutoRenewOptions {
  /** Makes the key pair of the new certificate. */
  newKeyPair(): Promise<CryptoKeyPair>;
  /** Further options of the kur (certProfile, validity, ...). */
  enroll?: Omit<EnrollOptions, 'bodyType' | 'keyPair' | 'publicKey' | 'oldCertificate' | 'centralKeyGeneration' | 'csr'>;
}
