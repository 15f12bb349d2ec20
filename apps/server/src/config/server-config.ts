import type { MacBounds } from '@cmpkit/protection';
import type { LogFormat, LogLevel } from '../log/logger.js';
import type { AdmissionConfig, AnnouncementsConfig } from './announcements-config.js';
import type { RaConfig } from './ra-config.js';

/** One certificate profile in the configuration; everything but `base` overrides the base profile. */
export interface ProfileConfig {
  /** A built-in profile of `@cmpkit/ca` to start from: tlsServer, tlsClient, device, ra, kga. Default: device. */
  base?: string;
  validityDays?: number;
  backdateSeconds?: number;
  allowTemplateValidity?: boolean;
  /** Subject used when a request carries none, OpenSSL form `/O=Example/CN=device`. */
  subject?: string;
  /** Fixed subject parts offered in genm certReqTemplate, OpenSSL form. */
  subjectTemplate?: string;
  /** `ec:P-256`, `rsa:2048+`, `ed25519`, ... (first one: the key generated for central key generation). */
  keyAlgorithms?: string[];
  keyUsage?: string[];
  /** OIDs or names: serverAuth, clientAuth, codeSigning, emailProtection, OCSPSigning, cmcCA, cmcRA, cmKGA. */
  extendedKeyUsage?: string[];
  allowSubjectAltName?: boolean;
  subjectAltNameTypes?: string[];
  dnsNamePatterns?: string[];
  allowWildcardDnsNames?: boolean;
  ipAddressRanges?: string[];
  allowedExtensions?: string[];
  crlDistributionPoint?: string | string[];
  authorityInfoAccess?: { caIssuers?: string | string[]; ocsp?: string | string[] };
  /** Requests wait for `cmpkit-server pending approve`. */
  requireApproval?: boolean;
  /** Requests wait this many polls and/or seconds. */
  issueDelay?: { polls?: number; seconds?: number };
}

/** The TLS settings shared by the listeners (`http.tls`, `tcp.tls`, `ws.tls`). */
export interface TlsConfig {
  /**
   * PEM: the server's TLS certificate followed by its chain, and `key` its private key (absolute
   * paths). Both null (default): a certificate issued by the CA on first start into
   * `tls-server.pem` in dataDir and renewed `renewBeforeDays` before it expires.
   */
  certificate: string | null;
  key: string | null;
  /** subjectAltNames of the issued certificate: `DNS:name`, `IP:address`. */
  subjectAltNames: string[];
  /** Lifetime of the issued certificate, days. */
  validityDays: number;
  /** Renew the issued certificate when it has less than this many days left. */
  renewBeforeDays: number;
  /** TLS client certificates: `none`, `optional` (verified when sent) or `required`. */
  clientCertificates: 'none' | 'optional' | 'required';
  /** PEM: the roots client certificates must chain to (absolute); null: the CA's own roots. */
  clientTrustAnchors: string | null;
}

/** The request types extra trust anchors may be accepted for. */
export const EXTERNAL_ANCHOR_REQUESTS = ['ir', 'cr', 'kur', 'p10cr', 'rr', 'genm'] as const;

/** One `externalAnchors` entry: a PEM file of root certificates (ir only), or the file and the request types. */
export type ExternalAnchorsConfig = string | { file: string; requests: (typeof EXTERNAL_ANCHOR_REQUESTS)[number][] };

/** The server policy flags (core's ServerPolicy, OpenSSL's names). */
export interface PolicyConfig {
  acceptUnprotected?: boolean;
  sendUnprotectedErrors?: boolean;
  acceptRAVerified?: boolean;
  grantImplicitConfirm?: boolean;
  messageTimeWindow?: number;
  confirmWaitTime?: number;
  allowMacRevocation?: boolean;
  transactionTtl?: number;
  requireExtraCertsChain?: boolean;
  /** Accept a kur for the key of the certificate being updated (default false: badCertTemplate). */
  allowKeyReuseOnUpdate?: boolean;
}

/**
 * Bounds on the parameters of MAC-protected requests, per algorithm, checked before any key
 * derivation (what is not given keeps the library default: PBMAC1 1 000 to 262 144 iterations,
 * PasswordBasedMac 100 to 10 000; salts 8 to 64 bytes; PBMAC1 keys 16 to 64 bytes).
 */
export interface MacBoundsConfig {
  PBMAC1: Partial<MacBounds>;
  PasswordBasedMac: Partial<MacBounds>;
}

/** The complete configuration, after defaults are filled in. Paths are absolute. */
export interface ServerConfig {
  /** Holds the database and the CA material. */
  dataDir: string;
  /**
   * The SQLite file, relative to dataDir unless absolute, or a `postgres://` URL: a PostgreSQL
   * database that several server instances share.
   */
  database: string;
  /**
   * When a commit is on disk: `full` (default: before the response that reports it leaves, by a
   * group commit of the WAL, so an issued certificate survives a power cut) or `normal` (WAL
   * without fsync: survives a process crash, not a power cut).
   */
  durability: 'full' | 'normal';
  /**
   * Worker processes serving one listening port (node:cluster), default 1. State lives in the
   * database, so a transaction begun on one worker continues on any other.
   */
  workers: number;
  http: {
    host: string;
    port: number;
    /** Base path; `<path>/p/<profile>` selects a profile. */
    path: string;
    maxMessageBytes: number;
    /**
     * Origins of web pages that may call the HTTP endpoint from a browser (CORS: the preflight is
     * answered and every answer names the origin); `["*"]` allows any. Empty (the default): no
     * CORS, so only pages of the server's own origin.
     */
    corsOrigins: string[];
    /** HTTPS instead of HTTP (and WSS for WebSocket on this port), with the `tls` settings. */
    tls: boolean;
  };
  /**
   * CMP over TCP (draft-ietf-pkix-cmp-tcp-00 / RFC 2510 framing): off while `port` is null. A
   * connection stays open `idleTimeoutSeconds` without traffic, so end entities can wait on it
   * for announcements.
   */
  tcp: { port: number | null; host: string; idleTimeoutSeconds: number; tls: boolean };
  /**
   * CMP over WebSocket (subprotocol `cmp`): on the HTTP server's port at `path` while `port` is
   * null (host then ignored), else on a listener of its own; off when `enabled` is false.
   */
  ws: { enabled: boolean; port: number | null; host: string; path: string; tls: boolean };
  /** The certificate, key and client-certificate policy of every listener with `tls: true`. */
  tls: TlsConfig;
  /**
   * CMP over CoAP (RFC 9482): off while `port` is null, else UDP and TCP (RFC 8323) on `port` at
   * `host`, and, with `websocket`, CoAP over WebSocket on the HTTP port at `/.well-known/coap`.
   * The CMP path is `http.path` (default `/.well-known/cmp`).
   */
  coap: { port: number | null; host: string; websocket: boolean };
  ca: {
    /** Key algorithm of the generated root, issuing CA and CMP server keys. */
    keyAlgorithm: string;
    rootSubject: string;
    issuingSubject: string;
    serverSubject: string;
    rootValidityDays: number;
    issuingValidityDays: number;
    serverValidityDays: number;
    /** Hours between thisUpdate and nextUpdate of the CRLs. */
    crlValidityHours: number;
    /**
     * PEM: the issuing CA certificate, optionally followed by certificates above it. Relative to
     * dataDir. Generated on first start only while it has its default name.
     */
    certificate: string;
    /** The issuing CA's key: a PKCS#8 PEM file (relative to dataDir) or a `pkcs11:` URI (RFC 7512). */
    key: string;
    /** PEM: the certificates above the issuing CA up to and including the self-signed root. Relative to dataDir. */
    chain: string;
    /**
     * What signs CMP messages: `separate` (default: its own certificate with id-kp-cmcCA, issued
     * by the CA on first start when missing) or `ca` (the issuing CA's certificate and key).
     */
    cmpCredential: 'separate' | 'ca';
    /** PEM: the CMP protection certificate (with cmpCredential `separate`). Relative to dataDir. */
    cmpCertificate: string;
    /** The CMP protection key: a PKCS#8 PEM file (relative to dataDir) or a `pkcs11:` URI. */
    cmpKey: string;
  };
  /**
   * The PKCS#11 module and user PIN for keys given as `pkcs11:` URIs (a URI's own `module-path`
   * and `pin-value`/`pin-source` win). `pin` is `env:VAR`, `file:PATH` or `pass:TEXT`.
   */
  pkcs11: { module: string | null; pin: string | null };
  /** Responses to MAC-protected requests: MAC (default) or the CMP server certificate's signature. */
  macResponses: 'mac' | 'signature';
  /**
   * The MAC of responses to MAC-protected requests: `request` (default: the algorithm and
   * parameters the request used, so OpenSSL 3.0's PasswordBasedMac gets PasswordBasedMac back),
   * or always PasswordBasedMac (RFC 4210) or PBMAC1 (RFC 9481 section 6.1.3).
   */
  responseMac: 'request' | 'PasswordBasedMac' | 'PBMAC1';
  /** The shared secret stored on first start (printed once), or null for none. */
  initialSecret: { reference: string; secret: string } | null;
  defaultProfile: string;
  /** The profile of requests without one whose key is ML-DSA or ML-KEM, or null for `defaultProfile`. */
  defaultPostQuantumProfile: string | null;
  profiles: Record<string, ProfileConfig>;
  /** checkAfter (seconds) of waiting requests. */
  checkAfterSeconds: number;
  /** How often unconfirmed certificates past confirmWaitTime are revoked, seconds. */
  expirySweepSeconds: number;
  /**
   * The safety net of announcement delivery, seconds: how often the running server looks for
   * announcements another process stored without its wake-up arriving, retries deliveries that
   * failed, announces CRLs it signed itself and loads a new root after `ca rollover`. Delivery
   * itself does not wait for it.
   */
  announcementFlushSeconds: number;
  /** Retries, dead letters and retention of announcements. */
  announcements: AnnouncementsConfig;
  /** New WebSocket and TCP connections admitted per second; `null`: all. */
  admission: AdmissionConfig | null;
  policy: PolicyConfig;
  /** MAC parameter bounds for requests (and the server's own MACs). */
  macBounds: MacBoundsConfig;
  /**
   * Root certificates of other PKIs (a manufacturer's IDevID PKI, an existing device PKI): a
   * request of one of the listed types (and the certConf/pollReq of its transaction) signed with
   * a certificate under one of them is accepted (RFC 9483 section 4.1.1). A plain file name means
   * `ir` only. Absolute paths.
   */
  externalAnchors: ExternalAnchorsConfig[];
  logLevel: LogLevel;
  /** `text` (default: one readable line per event) or `json` (one JSON object per line, for log collectors). */
  logFormat: LogFormat;
  /**
   * Prometheus metrics (`GET /metrics`) on a listener of their own: off while `port` is null
   * (`--metrics-port`). With several workers the primary serves the sum of theirs.
   */
  metrics: { port: number | null; host: string };
  /** `ca` (default): issue certificates; `ra`: a registration authority in front of `ra.upstream`. */
  role: 'ca' | 'ra';
  /** Registration authority settings (role ra). */
  ra: RaConfig;
}

/** A configuration file: any part of {@link ServerConfig}; `profiles.<name>: null` removes a default profile. */
export type ConfigFile = Partial<
  Omit<
    ServerConfig,
    | 'http'
    | 'tcp'
    | 'ws'
    | 'coap'
    | 'ca'
    | 'profiles'
    | 'policy'
    | 'ra'
    | 'pkcs11'
    | 'tls'
    | 'macBounds'
    | 'metrics'
    | 'announcements'
    | 'admission'
  >
> & {
  macBounds?: Partial<MacBoundsConfig>;
  metrics?: Partial<ServerConfig['metrics']>;
  tls?: Partial<TlsConfig>;
  pkcs11?: Partial<ServerConfig['pkcs11']>;
  announcements?: Partial<AnnouncementsConfig>;
  admission?: Partial<AdmissionConfig> | null;
  ra?: Partial<RaConfig>;
  http?: Partial<ServerConfig['http']>;
  tcp?: Partial<ServerConfig['tcp']>;
  ws?: Partial<ServerConfig['ws']>;
  coap?: Partial<ServerConfig['coap']>;
  ca?: Partial<ServerConfig['ca']>;
  profiles?: Record<string, ProfileConfig | null>;
  policy?: PolicyConfig;
};
