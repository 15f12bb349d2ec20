import { defineProfile, profiles as builtIn, type CertificateProfile, type CertificateProfileInit } from '@cmpkit/ca';
import { isCmpError, oids, parseName } from '@cmpkit/codec';
import type { ProfileCatalog, ServerProfile } from '@cmpkit/issuer';
import { ConfigError } from './config-error.js';
import type { ProfileConfig, ServerConfig } from './server-config.js';

const EKU_NAMES: Record<string, string> = {
  serverAuth: oids.id_kp_serverAuth,
  clientAuth: oids.id_kp_clientAuth,
  codeSigning: oids.id_kp_codeSigning,
  emailProtection: oids.id_kp_emailProtection,
  OCSPSigning: oids.id_kp_OCSPSigning,
  cmcCA: oids.id_kp_cmcCA,
  cmcRA: oids.id_kp_cmcRA,
  cmKGA: oids.id_kp_cmKGA,
};

const BASES: Record<string, CertificateProfile> = {
  tlsServer: builtIn.tlsServer,
  tlsClient: builtIn.tlsClient,
  device: builtIn.device,
  ra: builtIn.ra,
  kga: builtIn.kga,
  pqDevice: builtIn.pqDevice,
};

function nameOf(text: string, setting: string) {
  try {
    return parseName(text);
  } catch (cause) {
    throw new ConfigError(`${setting}: ${(cause as Error).message}`, { cause });
  }
}

/** Turns one configured profile into the CA's profile (over its base) and the server's extras. */
export function buildProfile(name: string, config: ProfileConfig): ServerProfile {
  const setting = `profiles.${name}`;
  const base = BASES[config.base ?? 'device'];
  if (!base) throw new ConfigError(`${setting}.base must be one of ${Object.keys(BASES).join(', ')}`);
  const { base: _base, subject, subjectTemplate, extendedKeyUsage, ...rest } = config;
  const init = {
    ...base,
    ...rest,
    name,
    ...(subject === undefined ? {} : { subject: nameOf(subject, `${setting}.subject`) }),
    ...(extendedKeyUsage === undefined ? {} : { extendedKeyUsage: extendedKeyUsage.map((e) => EKU_NAMES[e] ?? e) }),
  } as CertificateProfileInit;
  let profile: CertificateProfile;
  try {
    profile = defineProfile(init);
  } catch (cause) {
    if (isCmpError(cause)) throw new ConfigError(`${setting}: ${cause.message.replace(/^ca: /, '')}`, { cause });
    throw cause;
  }
  return {
    profile,
    ...(subjectTemplate === undefined ? {} : { subjectTemplate: nameOf(subjectTemplate, `${setting}.subjectTemplate`) }),
  };
}

/** The server's profiles from the configuration. */
export function buildCatalog(
  config: Pick<ServerConfig, 'profiles' | 'defaultProfile'> & Partial<Pick<ServerConfig, 'defaultPostQuantumProfile'>>,
): ProfileCatalog {
  const profiles = new Map<string, ServerProfile>();
  for (const [name, p] of Object.entries(config.profiles)) profiles.set(name, buildProfile(name, p));
  if (!profiles.has(config.defaultProfile)) throw new ConfigError(`defaultProfile "${config.defaultProfile}" is not among the profiles`);
  const pq = config.defaultPostQuantumProfile;
  if (pq && !profiles.has(pq)) throw new ConfigError(`defaultPostQuantumProfile "${pq}" is not among the profiles`);
  return { profiles, defaultProfile: config.defaultProfile, ...(pq ? { defaultPostQuantumProfile: pq } : {}) };
}
