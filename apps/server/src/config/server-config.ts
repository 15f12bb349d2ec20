import type { MacBounds } from '@cmpkit/protection';
import type { LogLevel } from '../log/logger.js';
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
  };
  /**
   * CMP over TCP (draft-ietf-pkix-cmp-tcp-00 / RFC 2510 framing): off while `port` is null. A
   * connection stays open `idleTimeoutSeconds` without traffic, so end entities can wait on it
   * for announcements.
   */
  tcp: { port: number | null; host: string; idleTimeoutSeconds: number };
  /**
   * CMP over WebSocket (subprotocol `cmp`): on the HTTP server's port at `path` while `port` is
   * null (host then ignored), else on a listener of its own; off when `enabled` is false.
   */
  ws: { enabled: boolean; port: number | null; host: string; path: string };
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
  };
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
   * PEM files of manufacturer (IDevID) root certificates: an ir (and its certConf/pollReq) signed
   * with a certificate under one of them is accepted (RFC 9483 section 4.1.1). Absolute paths.
   */
  externalAnchors: string[];
  logLevel: LogLevel;
  /** `ca` (default): issue certificates; `ra`: a registration authority in front of `ra.upstream`. */
  role: 'ca' | 'ra';
  /** Registration authority settings (role ra). */
  ra: RaConfig;
}

/** A configuration file: any part of {@link ServerConfig}; `profiles.<name>: null` removes a default profile. */
export type ConfigFile = Partial<
  Omit<ServerConfig, 'http' | 'tcp' | 'ws' | 'coap' | 'ca' | 'profiles' | 'policy' | 'ra' | 'macBounds' | 'announcements' | 'admission'>
> & {
  macBounds?: Partial<MacBoundsConfig>;
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
