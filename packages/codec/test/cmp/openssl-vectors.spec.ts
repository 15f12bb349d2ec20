import { describe, expect, it } from 'vitest';
import { decodePKIMessage, encodePKIMessage } from '../../src/index.js';
import { fixtureDir } from '../fixtures.js';

describe('OpenSSL 3.0 vectors', () => {
  it.each(fixtureDir('der/openssl-3.0'))('%s round-trips byte for byte', (_name, der) => {
    const message = decodePKIMessage(der);
    expect(Buffer.from(encodePKIMessage(message)).equals(Buffer.from(der))).toBe(true);
  });
});
