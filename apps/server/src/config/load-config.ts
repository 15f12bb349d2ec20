import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { DEFAULT_CONFIG } from './defaults.js';
import type { ConfigFile, ProfileConfig, ServerConfig } from './server-config.js';
import { isPostgresUrl } from '@cmpkit/store-postgres';
import { isPkcs11Uri } from '../pki/key-source.js';
import { validateConfig, validateConfigFile } from './validate-config.js';

/** Where the configuration comes from: an optional file, and command-line overrides. */
export interface ConfigSources {
  /** A JSON configuration file. */
  configFile?: string;
  /** `--data-dir`, relative to `cwd`. */
  dataDir?: string;
  /** `--port`. */
  port?: number;
  /** `--host`. */
  host?: string;
  /** `--workers`. */
  workers?: number;
  /** `--tcp-port`: serve CMP over TCP on this port. */
  tcpPort?: number;
  /** `--ws-port`: serve CMP over WebSocket on a port of its own. */
  wsPort?: number;
  /** `--coap-port`: serve CMP over CoAP (UDP and TCP) on this port. */
  coapPort?: number;
  /** `--db`: a SQLite file (relative to `cwd`) or a `postgres://` URL. */
  database?: string;
  /** `--role`. */
  role?: string;
  /** `--key-algorithm` (init): the key algorithm of the generated CA and CMP server keys. */
  keyAlgorithm?: string;
  /** `--upstream` (role ra). */
  upstream?: string;
  /** `--tls`: TLS on every listener. */
  tls?: boolean;
  /** `--ra-mode` (role ra). */
  raMode?: string;
  /** `--log-format`. */
  logFormat?: string;
  /** `--metrics-port`: serve Prometheus metrics on this port. */
  metricsPort?: number;
  /** The working directory relative paths are resolved against. */
  cwd: string;
}

/** Merges a configuration file over the defaults (objects per key; `profiles.<name>: null` removes one). */
export function mergeConfig(base: ServerConfig, file: ConfigFile): ServerConfig {
  const profiles: Record<string, ProfileConfig> = { ...base.profiles };
  for (const [name, profile] of Object.entries(file.profiles ?? {})) {
    if (profile === null) delete profiles[name];
    else profiles[name] = profile;
  }
  return {
    ...base,
    ...file,
    http: { ...base.http, ...file.http },
    tcp: { ...base.tcp, ...file.tcp },
    ws: { ...base.ws, ...file.ws },
    tls: { ...base.tls, ...file.tls },
    coap: { ...base.coap, ...file.coap },
    ca: { ...base.ca, ...file.ca },
    pkcs11: { ...base.pkcs11, ...file.pkcs11 },
    policy: { ...base.policy, ...file.policy },
    macBounds: {
      PBMAC1: { ...base.macBounds.PBMAC1, ...file.macBounds?.PBMAC1 },
      PasswordBasedMac: { ...base.macBounds.PasswordBasedMac, ...file.macBounds?.PasswordBasedMac },
    },
    ra: { ...base.ra, ...file.ra },
    announcements: { ...base.announcements, ...file.announcements },
    admission: file.admission === null ? null : file.admission === undefined ? base.admission : { ...base.admission, ...file.admission },
    metrics: { ...base.metrics, ...file.metrics },
    profiles,
    initialSecret: file.initialSecret === undefined ? base.initialSecret : file.initialSecret,
  } as ServerConfig;
}

/** The CA material settings with file names made absolute (relative ones are in dataDir); `pkcs11:` URIs stay. */
function resolveCaFiles(ca: ServerConfig['ca'], dataDir: string): ServerConfig['ca'] {
  const file = (name: string): string => (isPkcs11Uri(name) ? name : resolve(dataDir, name));
  return {
    ...ca,
    certificate: resolve(dataDir, ca.certificate),
    key: file(ca.key),
    chain: resolve(dataDir, ca.chain),
    cmpCertificate: resolve(dataDir, ca.cmpCertificate),
    cmpKey: file(ca.cmpKey),
  };
}

/**
 * The configuration: embedded defaults, then the file (its relative `dataDir` is relative to the
 * file, and so are the `externalAnchors` files and `pkcs11.module`), then the command-line
 * options. `dataDir`, `database` (unless a PostgreSQL URL), `externalAnchors` and the CA material
 * files (`ca.certificate`, ..., relative to dataDir) come back absolute.
 *
 * @throws ConfigError for an unreadable or invalid file or value.
 */
export async function loadConfig(sources: ConfigSources): Promise<ServerConfig> {
  let config: ServerConfig = structuredClone(DEFAULT_CONFIG);
  let dataDirBase = sources.cwd;
  if (sources.configFile !== undefined) {
    const path = resolve(sources.cwd, sources.configFile);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new ConfigError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new ConfigError(`${path} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
    const file = validateConfigFile(parsed, 'config');
    config = mergeConfig(config, file);
    if (file.dataDir !== undefined) dataDirBase = dirname(path);
    config.externalAnchors = config.externalAnchors.map((anchor) =>
      typeof anchor === 'string' ? resolve(dirname(path), anchor) : { ...anchor, file: resolve(dirname(path), anchor.file) },
    );
    if (file.pkcs11?.module) config.pkcs11.module = resolve(dirname(path), file.pkcs11.module);
    for (const key of ['certificate', 'key', 'clientTrustAnchors'] as const) {
      const value = config.tls[key];
      if (value !== null) config.tls = { ...config.tls, [key]: resolve(dirname(path), value) };
    }
  }
  if (sources.dataDir !== undefined) {
    config.dataDir = sources.dataDir;
    dataDirBase = sources.cwd;
  }
  if (sources.port !== undefined) config.http = { ...config.http, port: sources.port };
  if (sources.host !== undefined) config.http = { ...config.http, host: sources.host };
  if (sources.workers !== undefined) config.workers = sources.workers;
  if (sources.tcpPort !== undefined) config.tcp = { ...config.tcp, port: sources.tcpPort };
  if (sources.wsPort !== undefined) config.ws = { ...config.ws, enabled: true, port: sources.wsPort };
  if (sources.coapPort !== undefined) config.coap = { ...config.coap, port: sources.coapPort };
  if (sources.role !== undefined) config.role = sources.role as ServerConfig['role'];
  if (sources.keyAlgorithm !== undefined) config.ca = { ...config.ca, keyAlgorithm: sources.keyAlgorithm };
  if (sources.tls) {
    config.http = { ...config.http, tls: true };
    config.tcp = { ...config.tcp, tls: true };
    config.ws = { ...config.ws, tls: true };
  }
  if (sources.upstream !== undefined) config.ra = { ...config.ra, upstream: sources.upstream };
  if (sources.raMode !== undefined) config.ra = { ...config.ra, mode: sources.raMode as ServerConfig['ra']['mode'] };
  if (sources.logFormat !== undefined) config.logFormat = sources.logFormat as ServerConfig['logFormat'];
  if (sources.metricsPort !== undefined) config.metrics = { ...config.metrics, port: sources.metricsPort };
  config.dataDir = resolve(dataDirBase, config.dataDir);
  if (sources.database !== undefined)
    config.database = isPostgresUrl(sources.database) ? sources.database : resolve(sources.cwd, sources.database);
  if (!isPostgresUrl(config.database)) config.database = resolve(config.dataDir, config.database);
  config.ca = resolveCaFiles(config.ca, config.dataDir);
  validateConfig(config);
  return config;
}
