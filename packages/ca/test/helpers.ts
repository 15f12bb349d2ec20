import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, GeneralName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto';
import {
  decodeSubjectPublicKeyInfo,
  encodePem,
  oids,
  parseName,
  type CertTemplate,
  type Extension,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import { expect } from 'vitest';
import { IssuanceError } from '@cmpkit/ca';

/** The fixed "now" of every test: 2030-01-15 10:00:00 UTC. */
export const NOW = new Date('2030-01-15T10:00:00Z');
export const clock = (): Date => NOW;
/** `openssl verify -attime` one day after NOW. */
export const ATTIME = String(NOW.getTime() / 1000 + 86_400);

/** The two WebCrypto providers the suites run under. */
export const providers: [string, Crypto][] = [
  ['globalThis.crypto', globalThis.crypto],
  ['@peculiar/webcrypto', new PeculiarCrypto() as unknown as Crypto],
];

export const EC_P256: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

export async function keyPair(
  algorithm: EcKeyGenParams | RsaHashedKeyGenParams | Algorithm = EC_P256,
  crypto: Crypto = globalThis.crypto,
): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function spkiOf(key: CryptoKey, crypto: Crypto = globalThis.crypto): Promise<SubjectPublicKeyInfo> {
  return decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', key)));
}

export function rsa(bits: number, name = 'RSASSA-PKCS1-v1_5'): RsaHashedKeyGenParams {
  return { name, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
}

/** A subjectAltName extension (codec form) of the given names. */
export function sanExtension(names: Partial<GeneralName>[], critical = false): Extension {
  const value = new Uint8Array(AsnConvert.serialize(new SubjectAlternativeName(names.map((n) => new GeneralName(n)))));
  return { extnID: oids.id_ce_subjectAltName, ...(critical ? { critical: true as const } : {}), extnValue: value };
}

export function template(publicKey: SubjectPublicKeyInfo, subject = '/O=Example/CN=device-0001', extensions?: Extension[]): CertTemplate {
  return { subject: parseName(subject), publicKey, ...(extensions ? { extensions } : {}) };
}

export function parseCertificate(der: Uint8Array): Certificate {
  return AsnConvert.parse(der, Certificate);
}

export function extensionIds(der: Uint8Array): string[] {
  return (parseCertificate(der).tbsCertificate.extensions ?? []).map((e) => e.extnID);
}

export function extensionValue(der: Uint8Array, oid: string): { critical: boolean; value: Uint8Array } | undefined {
  const ext = parseCertificate(der).tbsCertificate.extensions?.find((e) => e.extnID === oid);
  return ext && { critical: ext.critical, value: new Uint8Array(ext.extnValue.buffer) };
}

export function hex(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');
}

/** Expects `promise` to reject with an IssuanceError carrying exactly `failInfo`. */
export async function expectIssuanceError(promise: Promise<unknown>, failInfo: string, message?: RegExp): Promise<IssuanceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IssuanceError);
  const issuance = error as IssuanceError;
  expect(issuance.failInfo).toEqual([failInfo]);
  expect(issuance.message.startsWith('ca: ')).toBe(true);
  if (message) expect(issuance.message).toMatch(message);
  return issuance;
}

// --- openssl -----------------------------------------------------------------------------------

const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
/** Why the openssl checks are skipped, or undefined when openssl is available. */
export const opensslMissing: string | undefined = probe.status === 0 ? undefined : 'SKIPPED: the openssl binary is not on the PATH';

export interface OpensslResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A temporary directory for PEM files, and openssl run inside it. */
export class OpensslWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'cmpkit-ca-'));

  write(name: string, label: 'CERTIFICATE' | 'X509 CRL', ...ders: Uint8Array[]): string {
    const path = join(this.dir, name);
    writeFileSync(path, ders.map((d) => encodePem(label, d)).join(''));
    return path;
  }

  run(...args: string[]): OpensslResult {
    const r = spawnSync('openssl', args, { cwd: this.dir, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** `openssl verify` at ATTIME; returns the combined output. */
  verify(args: string[]): OpensslResult {
    return this.run('verify', '-attime', ATTIME, ...args);
  }

  text(certPath: string): string {
    const r = this.run('x509', '-in', certPath, '-noout', '-text');
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
