import { DEFAULT_PASSWORD_BASED_MAC_BOUNDS, DEFAULT_PBMAC1_BOUNDS } from '@cmpkit/protection';
import { LOG_FORMATS, LOG_LEVELS } from '../log/logger.js';
import { GENERATED_KEY_ALGORITHMS } from '@cmpkit/issuer';
import { ConfigError } from './config-error.js';
import { RA_MODES } from './ra-config.js';
import { EXTERNAL_ANCHOR_REQUESTS, type ConfigFile, type ServerConfig } from './server-config.js';

type Check = (value: unknown, path: string) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const string: Check = (v, path) => {
  if (typeof v !== 'string') throw new ConfigError(`${path} must be a string`);
};
const boolean: Check = (v, path) => {
  if (typeof v !== 'boolean') throw new ConfigError(`${path} must be true or false`);
};
const number: Check = (v, path) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`${path} must be a number of 0 or more`);
};
const portOrNull: Check = (v, path) => (v === null ? undefined : number(v, path));
const strings: Check = (v, path) => {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(`${path} must be a list of strings`);
};
const stringOrNull: Check = (v, path) => (v === null ? undefined : string(v, path));
const stringOrStrings: Check = (v, path) => (typeof v === 'string' ? undefined : strings(v, path));

function object(fields: Record<string, Check>): Check {
  return (v, path) => {
    if (!isObject(v)) throw new ConfigError(`${path} must be an object`);
    for (const [key, value] of Object.entries(v)) {
      const check = fields[key];
      if (!check) throw new ConfigError(`unknown setting ${path}.${key}`);
      if (value !== undefined) check(value, `${path}.${key}`);
    }
  };
}

const externalAnchorEntry = object({
  file: string,
  requests: (v, path) => {
    strings(v, path);
    const bad = (v as string[]).find((r) => !(EXTERNAL_ANCHOR_REQUESTS as readonly string[]).includes(r));
    if (bad !== undefined) throw new ConfigError(`${path}: '${bad}' is not one of ${EXTERNAL_ANCHOR_REQUESTS.join(', ')}`);
    if ((v as string[]).length === 0) throw new ConfigError(`${path} must name at least one request type`);
  },
});

const profile = object({
  base: string,
  validityDays: number,
  backdateSeconds: number,
  allowTemplateValidity: boolean,
  subject: string,
  subjectTemplate: string,
  keyAlgorithms: strings,
  keyUsage: strings,
  extendedKeyUsage: strings,
  allowSubjectAltName: boolean,
  subjectAltNameTypes: strings,
  dnsNamePatterns: strings,
  allowWildcardDnsNames: boolean,
  ipAddressRanges: strings,
  allowedExtensions: strings,
  crlDistributionPoint: stringOrStrings,
  authorityInfoAccess: object({ caIssuers: stringOrStrings, ocsp: stringOrStrings }),
  requireApproval: boolean,
  issueDelay: object({ polls: number, seconds: number }),
});

const macBounds = object({
  minIterations: number,
  maxIterations: number,
  minSaltLength: number,
  maxSaltLength: number,
  minKeyLength: number,
  maxKeyLength: number,
});

const configFile = object({
  dataDir: string,
  database: string,
  durability: string,
  workers: number,
  http: object({ host: string, port: number, path: string, maxMessageBytes: number, corsOrigins: strings, tls: boolean }),
  tcp: object({ port: portOrNull, host: string, idleTimeoutSeconds: number, tls: boolean }),
  ws: object({ enabled: boolean, port: portOrNull, host: string, path: string, tls: boolean }),
  tls: object({
    certificate: stringOrNull,
    key: stringOrNull,
    subjectAltNames: strings,
    validityDays: number,
    renewBeforeDays: number,
    clientCertificates: string,
    clientTrustAnchors: stringOrNull,
  }),
  coap: object({ port: portOrNull, host: string, websocket: boolean }),
  ca: object({
    keyAlgorithm: string,
    rootSubject: string,
    issuingSubject: string,
    serverSubject: string,
    rootValidityDays: number,
    issuingValidityDays: number,
    serverValidityDays: number,
    crlValidityHours: number,
    certificate: string,
    key: string,
    chain: string,
    cmpCredential: string,
    cmpCertificate: string,
    cmpKey: string,
  }),
  pkcs11: object({ module: stringOrNull, pin: stringOrNull }),
  macResponses: string,
  responseMac: string,
  initialSecret: (v, path) => (v === null ? undefined : object({ reference: string, secret: string })(v, path)),
  defaultProfile: string,
  defaultPostQuantumProfile: (v, path) => (v === null ? undefined : string(v, path)),
  profiles: (v, path) => {
    if (!isObject(v)) throw new ConfigError(`${path} must be an object of profiles by name`);
    for (const [name, p] of Object.entries(v)) if (p !== null) profile(p, `${path}.${name}`);
  },
  checkAfterSeconds: number,
  expirySweepSeconds: number,
  announcementFlushSeconds: number,
  announcements: object({
    maxAttempts: number,
    retrySeconds: number,
    maxRetrySeconds: number,
    retainDeliveredHours: number,
    expireAfterDays: number,
  }),
  admission: (v, path) => (v === null ? undefined : object({ connectionsPerSecond: number, burst: number })(v, path)),
  policy: object({
    acceptUnprotected: boolean,
    sendUnprotectedErrors: boolean,
    acceptRAVerified: boolean,
    grantImplicitConfirm: boolean,
    messageTimeWindow: number,
    confirmWaitTime: number,
    allowMacRevocation: boolean,
    transactionTtl: number,
    requireExtraCertsChain: boolean,
    allowKeyReuseOnUpdate: boolean,
  }),
  macBounds: object({ PBMAC1: macBounds, PasswordBasedMac: macBounds }),
  externalAnchors: (v, path) => {
    if (!Array.isArray(v)) throw new ConfigError(`${path} must be a list`);
    v.forEach((entry: unknown, i) => (typeof entry === 'string' ? undefined : externalAnchorEntry(entry, `${path}[${i}]`)));
  },
  logLevel: string,
  logFormat: string,
  metrics: object({ port: portOrNull, host: string }),
  role: string,
  ra: object({
    upstream: (v, path) => (v === null ? undefined : string(v, path)),
    mode: string,
    subject: string,
    keyAlgorithm: string,
    certificate: string,
    key: string,
    trustAnchors: string,
    batching: (v, path) => (v === null ? undefined : object({ maxSize: number, maxDelayMs: number })(v, path)),
    delayedDelivery: (v, path) => (v === null ? undefined : object({ waitMs: number, checkAfter: number, leaseSeconds: number })(v, path)),
  }),
});

/**
 * Checks the shape of a parsed configuration file: known settings only (a typo is an error, not
 * a silently ignored line), each of the right type.
 */
export function validateConfigFile(value: unknown, source: string): ConfigFile {
  configFile(value, source);
  return value as ConfigFile;
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return url.origin !== 'null' && url.origin === text.replace(/\/$/, '').toLowerCase();
  } catch {
    return false;
  }
}

/** Checks the values of a complete configuration that the shape cannot express. */
export function validateConfig(config: ServerConfig): void {
  const { http } = config;
  if (!Number.isInteger(http.port) || http.port > 65535) throw new ConfigError('http.port must be an integer from 0 to 65535');
  if (!http.path.startsWith('/')) throw new ConfigError("http.path must start with '/'");
  for (const [name, port] of [
    ['tcp.port', config.tcp.port],
    ['ws.port', config.ws.port],
    ['coap.port', config.coap.port],
    ['metrics.port', config.metrics.port],
  ] as const) {
    if (port !== null && (!Number.isInteger(port) || port > 65535))
      throw new ConfigError(`${name} must be null or an integer from 0 to 65535`);
  }
  if (!(config.announcementFlushSeconds > 0)) throw new ConfigError('announcementFlushSeconds must be positive');
  validateAnnouncementsConfig(config);
  if (!(config.tcp.idleTimeoutSeconds > 0)) throw new ConfigError('tcp.idleTimeoutSeconds must be positive');
  if (!config.ws.path.startsWith('/')) throw new ConfigError("ws.path must start with '/'");
  if (!Number.isInteger(http.maxMessageBytes) || http.maxMessageBytes < 1)
    throw new ConfigError('http.maxMessageBytes must be a positive integer');
  for (const origin of http.corsOrigins) {
    if (origin !== '*' && !isOrigin(origin)) throw new ConfigError(`http.corsOrigins: not an origin (scheme://host[:port]): ${origin}`);
  }
  if (http.corsOrigins.includes('*') && http.corsOrigins.length > 1) throw new ConfigError('http.corsOrigins: "*" stands alone');
  if (!(GENERATED_KEY_ALGORITHMS as readonly string[]).includes(config.ca.keyAlgorithm)) {
    throw new ConfigError(`ca.keyAlgorithm must be one of ${GENERATED_KEY_ALGORITHMS.join(', ')}`);
  }
  validateTlsConfig(config);
  if (config.ca.cmpCredential !== 'separate' && config.ca.cmpCredential !== 'ca')
    throw new ConfigError("ca.cmpCredential must be 'separate' or 'ca'");
  if (config.pkcs11.pin !== null && !/^(pass|env|file):/.test(config.pkcs11.pin))
    throw new ConfigError('pkcs11.pin must be pass:TEXT, env:VAR or file:PATH');
  if (config.durability !== 'full' && config.durability !== 'normal') throw new ConfigError("durability must be 'full' or 'normal'");
  if (!Number.isInteger(config.workers) || config.workers < 0 || config.workers > 256)
    throw new ConfigError('workers must be an integer from 0 (no supervising primary) to 256');
  if (config.macResponses !== 'mac' && config.macResponses !== 'signature')
    throw new ConfigError("macResponses must be 'mac' or 'signature'");
  if (config.responseMac !== 'request' && config.responseMac !== 'PasswordBasedMac' && config.responseMac !== 'PBMAC1') {
    throw new ConfigError("responseMac must be 'request', 'PasswordBasedMac' or 'PBMAC1'");
  }
  if (!([...LOG_LEVELS, 'silent'] as readonly string[]).includes(config.logLevel)) {
    throw new ConfigError(`logLevel must be one of ${[...LOG_LEVELS, 'silent'].join(', ')}`);
  }
  if (!(LOG_FORMATS as readonly string[]).includes(config.logFormat)) {
    throw new ConfigError(`logFormat must be one of ${LOG_FORMATS.join(', ')}`);
  }
  if (!(config.defaultProfile in config.profiles))
    throw new ConfigError(`defaultProfile "${config.defaultProfile}" is not among the profiles`);
  validateMacBounds(config);
  if (config.defaultPostQuantumProfile !== null && !(config.defaultPostQuantumProfile in config.profiles))
    throw new ConfigError(`defaultPostQuantumProfile "${config.defaultPostQuantumProfile}" is not among the profiles`);
  validateRaConfig(config);
  if (config.initialSecret && config.initialSecret.reference === '') throw new ConfigError('initialSecret.reference must not be empty');
  for (const [name, p] of Object.entries(config.profiles)) {
    if (!/^[A-Za-z0-9._~-]+$/.test(name))
      throw new ConfigError(`profile name "${name}" must be one URL path segment (letters, digits, . _ ~ -)`);
    if (p.issueDelay?.polls !== undefined && !Number.isInteger(p.issueDelay.polls))
      throw new ConfigError(`profiles.${name}.issueDelay.polls must be an integer`);
  }
}

/** Retries, retention and admission of announcements and connections. */
function validateAnnouncementsConfig(config: ServerConfig): void {
  const { announcements, admission } = config;
  if (!(Number.isInteger(announcements.maxAttempts) && announcements.maxAttempts >= 1))
    throw new ConfigError('announcements.maxAttempts must be an integer of 1 or more');
  if (!(announcements.maxRetrySeconds >= announcements.retrySeconds))
    throw new ConfigError('announcements.maxRetrySeconds must not be less than announcements.retrySeconds');
  if (!(announcements.expireAfterDays * 24 >= announcements.retainDeliveredHours))
    throw new ConfigError('announcements.expireAfterDays must not be shorter than announcements.retainDeliveredHours');
  if (admission && !(admission.connectionsPerSecond > 0 && admission.burst >= 1))
    throw new ConfigError('admission.connectionsPerSecond must be positive and admission.burst 1 or more');
}

/** The TLS settings: both files or neither, names of the issued certificate, client certificates. */
function validateTlsConfig(config: ServerConfig): void {
  const { tls } = config;
  if ((tls.certificate === null) !== (tls.key === null))
    throw new ConfigError('tls.certificate and tls.key go together: give both or neither');
  if (!['none', 'optional', 'required'].includes(tls.clientCertificates))
    throw new ConfigError("tls.clientCertificates must be 'none', 'optional' or 'required'");
  const bad = tls.subjectAltNames.find((n) => !/^(DNS:[A-Za-z0-9.*-]+|IP:[0-9A-Fa-f.:]+)$/.test(n));
  if (bad !== undefined) throw new ConfigError(`tls.subjectAltNames: '${bad}' is not DNS:name or IP:address`);
  if (!(tls.validityDays >= 1)) throw new ConfigError('tls.validityDays must be 1 or more');
  if (!(tls.renewBeforeDays < tls.validityDays)) throw new ConfigError('tls.renewBeforeDays must be less than tls.validityDays');
}

/** Each algorithm's MAC bounds over the library defaults: whole numbers, each minimum at most its maximum, iterations at least 1. */
function validateMacBounds(config: ServerConfig): void {
  const defaults = { PBMAC1: DEFAULT_PBMAC1_BOUNDS, PasswordBasedMac: DEFAULT_PASSWORD_BASED_MAC_BOUNDS };
  for (const name of ['PBMAC1', 'PasswordBasedMac'] as const) {
    const bounds = { ...defaults[name], ...config.macBounds[name] };
    for (const [key, value] of Object.entries(config.macBounds[name])) {
      if (!Number.isInteger(value)) throw new ConfigError(`macBounds.${name}.${key} must be a whole number`);
    }
    if (bounds.minIterations < 1) throw new ConfigError(`macBounds.${name}.minIterations must be at least 1`);
    for (const what of ['Iterations', 'SaltLength', 'KeyLength'] as const) {
      if (bounds[`min${what}`] > bounds[`max${what}`]) {
        throw new ConfigError(`macBounds.${name}: min${what} ${bounds[`min${what}`]} is above max${what} ${bounds[`max${what}`]}`);
      }
    }
  }
}

/** The role, and for role ra the RA settings. */
function validateRaConfig(config: ServerConfig): void {
  if (config.role !== 'ca' && config.role !== 'ra') throw new ConfigError("role must be 'ca' or 'ra'");
  const ra = config.ra;
  if (!(RA_MODES as readonly string[]).includes(ra.mode)) throw new ConfigError(`ra.mode must be one of ${RA_MODES.join(', ')}`);
  if (ra.upstream !== null && !/^https?:\/\//.test(ra.upstream)) throw new ConfigError('ra.upstream must be an http:// or https:// URL');
  if (ra.batching && !(Number.isInteger(ra.batching.maxSize) && ra.batching.maxSize >= 1))
    throw new ConfigError('ra.batching.maxSize must be an integer of 1 or more');
  if (!(GENERATED_KEY_ALGORITHMS as readonly string[]).includes(ra.keyAlgorithm)) {
    throw new ConfigError(`ra.keyAlgorithm must be one of ${GENERATED_KEY_ALGORITHMS.join(', ')}`);
  }
}
