import type { ParseArgsConfig } from 'node:util';

/** The options of the CMP commands, named after `openssl cmp` where a user would look for them. */
export const CMP_OPTIONS = {
  server: { type: 'string' },
  path: { type: 'string' },
  ref: { type: 'string' },
  secret: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  keypass: { type: 'string' },
  extracerts: { type: 'string' },
  trusted: { type: 'string' },
  'out-trusted': { type: 'string' },
  untrusted: { type: 'string' },
  srvcert: { type: 'string' },
  'kem-cert': { type: 'string' },
  'kem-key': { type: 'string' },
  'srv-kem-cert': { type: 'string' },
  recipient: { type: 'string' },
  subject: { type: 'string' },
  issuer: { type: 'string' },
  days: { type: 'string' },
  sans: { type: 'string' },
  newkey: { type: 'string' },
  newkeyout: { type: 'string' },
  newkeypass: { type: 'string' },
  csr: { type: 'string' },
  oldcert: { type: 'string' },
  revreason: { type: 'string' },
  certout: { type: 'string' },
  chainout: { type: 'string' },
  extracertsout: { type: 'string' },
  cacertsout: { type: 'string' },
  'implicit-confirm': { type: 'boolean' },
  'disable-confirm': { type: 'boolean' },
  'unprotected-errors': { type: 'boolean' },
  infotype: { type: 'string', multiple: true },
  profile: { type: 'string' },
  mac: { type: 'string' },
  digest: { type: 'string' },
  iterations: { type: 'string' },
  reqout: { type: 'string' },
  rspout: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  centralkeygen: { type: 'boolean' },
  oldroot: { type: 'string' },
  newwithnew: { type: 'string' },
  newwithold: { type: 'string' },
  oldwithnew: { type: 'string' },
  crlout: { type: 'string' },
  crldp: { type: 'string' },
  'tls-trusted': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-host': { type: 'string' },
  timeout: { type: 'string' },
  totaltimeout: { type: 'string' },
  at: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Parsed values of {@link CMP_OPTIONS}. */
export type CmpOptionValues = {
  [K in keyof typeof CMP_OPTIONS]?: (typeof CMP_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof CMP_OPTIONS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};
