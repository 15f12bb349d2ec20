import { DEFAULT_ADMISSION_CONFIG, DEFAULT_ANNOUNCEMENTS_CONFIG } from './announcements-config.js';
import { DEFAULT_RA_CONFIG } from './ra-config.js';
import type { ServerConfig } from './server-config.js';

/**
 * The embedded defaults: `cmpkit-server start` with no configuration file serves
 * http://127.0.0.1:8080/.well-known/cmp from `./.cmpkit-server`, with a demo shared secret.
 * Relative paths here are relative to the working directory.
 */
export const DEFAULT_CONFIG: ServerConfig = Object.freeze({
  dataDir: './.cmpkit-server',
  database: 'cmpkit-server.sqlite',
  durability: 'full',
  workers: 1,
  http: { host: '127.0.0.1', port: 8080, path: '/.well-known/cmp', maxMessageBytes: 1024 * 1024 },
  tcp: { port: null, host: '127.0.0.1', idleTimeoutSeconds: 3600 },
  ws: { enabled: true, port: null, host: '127.0.0.1', path: '/.well-known/cmp' },
  coap: { port: null, host: '127.0.0.1', websocket: true },
  ca: {
    keyAlgorithm: 'ec:P-256',
    rootSubject: '/O=cmpkit demo/CN=cmpkit Root CA',
    issuingSubject: '/O=cmpkit demo/CN=cmpkit Issuing CA',
    serverSubject: '/O=cmpkit demo/CN=cmpkit CMP Server',
    rootValidityDays: 3650,
    issuingValidityDays: 1825,
    serverValidityDays: 730,
    crlValidityHours: 168,
  },
  macResponses: 'mac',
  responseMac: 'request',
  initialSecret: { reference: 'demo', secret: 'demo-secret-change-me' },
  defaultProfile: 'device',
  profiles: {
    device: { base: 'device' },
    tlsServer: { base: 'tlsServer' },
    tlsClient: { base: 'tlsClient' },
    approval: { base: 'device', requireApproval: true },
    delayed: { base: 'device', issueDelay: { polls: 2 } },
  },
  checkAfterSeconds: 1,
  expirySweepSeconds: 30,
  announcementFlushSeconds: 2,
  announcements: DEFAULT_ANNOUNCEMENTS_CONFIG,
  admission: DEFAULT_ADMISSION_CONFIG,
  policy: {
    grantImplicitConfirm: true,
    messageTimeWindow: 300,
    confirmWaitTime: 300,
  },
  macBounds: { PBMAC1: {}, PasswordBasedMac: {} },
  externalAnchors: [],
  logLevel: 'info',
  role: 'ca',
  ra: DEFAULT_RA_CONFIG,
}) as ServerConfig;
