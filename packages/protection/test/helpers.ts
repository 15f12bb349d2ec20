import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePKIMessage, decodePemBlock, encodePKIMessage, type DecodedPKIMessage, type PKIMessage } from '@cmpkit/codec';
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto';
import { parseCertificate } from '../src/index.js';

/** The repository's fixtures/ folder. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

/** The two WebCrypto providers every suite runs under. */
export const providers: { name: string; crypto: Crypto }[] = [
  { name: 'node', crypto: globalThis.crypto },
  { name: 'peculiar', crypto: new PeculiarCrypto() as unknown as Crypto },
];

/** The bytes of a fixture file, by path relative to fixtures/. */
export function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, path)));
}

/** The text of a fixture file. */
export function fixtureText(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

/** Every `.der` file of a fixture folder, as [name, bytes]. */
export function fixtureDir(path: string): [string, Uint8Array][] {
  return readdirSync(join(FIXTURES, path))
    .filter((f) => f.endsWith('.der'))
    .sort()
    .map((f) => [f, fixture(join(path, f))]);
}

/** The DER of a PEM certificate fixture. */
export function cert(path: string): Uint8Array {
  return decodePemBlock(fixtureText(path), 'CERTIFICATE');
}

/** A certificate of the protection test PKI (fixtures/protection/pki). */
export function pki(name: string): Uint8Array {
  return cert(`protection/pki/${name}.pem`);
}

/** A private key PEM of the protection test PKI. */
export function pkiKey(name: string): string {
  return fixtureText(`protection/pki/${name}.key`);
}

/** A moment inside the validity of fixtures/protection/pki (made 2026-11-27, 10 years). */
export const PKI_TIME = new Date('2027-06-01T00:00:00Z');

/** A moment inside the validity of fixtures/pki/openssl-3.0 (EE valid 2026-11-27 to 2027-11-27). */
export const OPENSSL_PKI_TIME = new Date('2026-12-01T00:00:00Z');

/** The OpenSSL vectors' shared secret and reference. */
export const OPENSSL_SECRET = 'perf-test-secret';
export const OPENSSL_REF = '3078';

/** True when the provider implements `algorithm` for signing keys. */
export async function supports(crypto: Crypto, algorithm: Algorithm | EcKeyGenParams): Promise<boolean> {
  try {
    await crypto.subtle.generateKey(algorithm, false, ['sign', 'verify']);
    return true;
  } catch {
    return false;
  }
}

/** A genm from the OpenSSL vectors with its protection removed and `sender` set to `subjectOf`. */
export function unprotectedGenm(subjectOf?: Uint8Array): PKIMessage {
  const { header, body } = decodePKIMessage(fixture('der/openssl-3.0/genm.der'));
  const { protectionAlg: _a, senderKID: _k, ...rest } = header;
  return {
    header: subjectOf ? { ...rest, sender: { type: 'directoryName', value: parseCertificate(subjectOf).subject } } : rest,
    body,
  };
}

/** The message as a receiver gets it. */
export function roundTrip(message: PKIMessage): DecodedPKIMessage {
  return decodePKIMessage(encodePKIMessage(message));
}
