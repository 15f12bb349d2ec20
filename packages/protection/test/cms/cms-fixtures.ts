import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto';

const dir = fileURLToPath(new URL('../../../../fixtures/cms/', import.meta.url));

/** A fixture file of fixtures/cms as bytes. */
export function fixture(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(`${dir}${name}`));
}

/** Absolute path of a fixture file. */
export function fixturePath(name: string): string {
  return `${dir}${name}`;
}

/** The two WebCrypto providers every CMS test runs under. */
export const providers: [string, Crypto][] = [
  ['globalThis.crypto', globalThis.crypto],
  ['@peculiar/webcrypto', new PeculiarCrypto() as unknown as Crypto],
];

export const pki = {
  ca: fixture('ca.cert.der'),
  kgaP256: { cert: fixture('kga-p256.cert.der'), key: fixture('kga-p256.key.der') },
  kgaRsa: { cert: fixture('kga-rsa.cert.der'), key: fixture('kga-rsa.key.der') },
  kgaEd25519: { cert: fixture('kga-ed25519.cert.der'), key: fixture('kga-ed25519.key.der') },
  eeRsa: { cert: fixture('ee-rsa.cert.der'), key: fixture('ee-rsa.key.der') },
  eeRsaNoSki: { cert: fixture('ee-rsa-noski.cert.der'), key: fixture('ee-rsa-noski.key.der') },
  eeP256: { cert: fixture('ee-p256.cert.der'), key: fixture('ee-p256.key.der') },
  eeP384: { cert: fixture('ee-p384.cert.der'), key: fixture('ee-p384.key.der') },
  generated: fixture('generated-p256.key.der'),
};

/** Imports a signer key of the fixtures for `crypto`. */
export async function signerKey(crypto: Crypto, which: 'p256' | 'rsa' | 'rsa-pss' | 'ed25519'): Promise<CryptoKey> {
  if (which === 'p256') {
    return crypto.subtle.importKey('pkcs8', pki.kgaP256.key, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  }
  if (which === 'rsa') {
    return crypto.subtle.importKey('pkcs8', pki.kgaRsa.key, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  }
  if (which === 'rsa-pss') {
    return crypto.subtle.importKey('pkcs8', pki.kgaRsa.key, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
  }
  return crypto.subtle.importKey('pkcs8', pki.kgaEd25519.key, { name: 'Ed25519' }, false, ['sign']);
}

/** Whether the openssl binary is on PATH, and its version line. */
export function opensslVersion(): string | undefined {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** A copy with one byte flipped. */
export function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}
