import type { LogLevel } from '../log/logger.js';
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
}

/** The complete configuration, after defaults are filled in. Paths are absolute. */
export interface ServerConfig {
  /** Holds the database and the CA material. */
  dataDir: string;
  /** The SQLite file, relative to dataDir unless absolute. */
  database: string;
  /**
   * When a commit is on disk: `full` (default: fsync at every commit, so an issued certificate
   * survives a power cut before its response leaves) or `normal` (WAL without fsync per commit:
   * survives a process crash, not a power cut; about a third more transactions per second).
   */
  durability: 'full' | 'normal';
  http: {
    host: string;
    port: number;
    /** Base path; `<path>/p/<profile>` selects a profile. */
    path: string;
    maxMessageBytes: number;
  };
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
  policy: PolicyConfig;
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
export type ConfigFile = Partial<Omit<ServerConfig, 'http' | 'ca' | 'profiles' | 'policy' | 'ra'>> & {
  ra?: Partial<RaConfig>;
  http?: Partial<ServerConfig['http']>;
  ca?: Partial<ServerConfig['ca']>;
  profiles?: Record<string, ProfileConfig | null>;
  policy?: PolicyConfig;
};
