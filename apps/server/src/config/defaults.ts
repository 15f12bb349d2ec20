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
  http: { host: '127.0.0.1', port: 8080, path: '/.well-known/cmp', maxMessageBytes: 1024 * 1024, corsOrigins: [], tls: false },
  tcp: { port: null, host: '127.0.0.1', idleTimeoutSeconds: 3600, tls: false },
  ws: { enabled: true, port: null, host: '127.0.0.1', path: '/.well-known/cmp', tls: false },
  tls: {
    certificate: null,
    key: null,
    subjectAltNames: ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'],
    validityDays: 90,
    renewBeforeDays: 30,
    clientCertificates: 'none',
    clientTrustAnchors: null,
  },
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
    certificate: 'issuing-ca.pem',
    key: 'issuing-ca.key.pem',
    chain: 'root-ca.pem',
    cmpCredential: 'separate',
    cmpCertificate: 'cmp-server.pem',
    cmpKey: 'cmp-server.key.pem',
  },
  pkcs11: { module: null, pin: null },
  macResponses: 'mac',
  responseMac: 'request',
  initialSecret: { reference: 'demo', secret: 'demo-secret-change-me' },
  defaultProfile: 'device',
  defaultPostQuantumProfile: 'pqDevice',
  profiles: {
    device: { base: 'device' },
    pqDevice: { base: 'pqDevice' },
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
  logFormat: 'text',
  metrics: { port: null, host: '127.0.0.1' },
  role: 'ca',
  ra: DEFAULT_RA_CONFIG,
}) as ServerConfig;
