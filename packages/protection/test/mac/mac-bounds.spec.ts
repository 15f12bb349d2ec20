import {
  decodePKIMessage,
  encodePBKDF2Params,
  encodePBMAC1Params,
  encodePBMParameter,
  encodePKIMessage,
  oids,
  type AlgorithmIdentifier,
  type PBKDF2Params,
} from '@cmpkit/codec';
import { describe, expect, it } from 'vitest';
import { protect, verifyProtection } from '../../src/index.js';
import { providers, unprotectedGenm } from '../helpers.js';

/** A Crypto whose subtle calls are counted. */
function counting(crypto: Crypto): { crypto: Crypto; calls: string[] } {
  const calls: string[] = [];
  const subtle = new Proxy(crypto.subtle, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { crypto: { subtle, getRandomValues: crypto.getRandomValues.bind(crypto) } as Crypto, calls };
}

const NULL = { der: Uint8Array.of(5, 0) };
const salt16 = new Uint8Array(16).fill(7);

function pbmac1(
  kdf: Partial<PBKDF2Params> & { oid?: string },
  mac: AlgorithmIdentifier = { algorithm: oids.id_hmacWithSHA256, parameters: NULL },
): AlgorithmIdentifier {
  const params: PBKDF2Params = {
    salt: kdf.salt ?? { type: 'specified', value: salt16 },
    iterationCount: kdf.iterationCount ?? 10_000,
    ...(kdf.keyLength === undefined ? { keyLength: 32 } : kdf.keyLength < 0 ? {} : { keyLength: kdf.keyLength }),
    ...(kdf.prf === undefined
      ? { prf: { algorithm: oids.id_hmacWithSHA256, parameters: NULL } }
      : kdf.prf.algorithm === ''
        ? {}
        : { prf: kdf.prf }),
  };
  return {
    algorithm: oids.id_PBMAC1,
    parameters: {
      der: encodePBMAC1Params({
        keyDerivationFunc: { algorithm: kdf.oid ?? oids.id_PBKDF2, parameters: { der: encodePBKDF2Params(params) } },
        messageAuthScheme: mac,
      }),
    },
  };
}

function pbm(
  salt: Uint8Array,
  iterationCount: number,
  owf: string = oids.id_sha256,
  mac: string = oids.id_hmacWithSHA256,
): AlgorithmIdentifier {
  return {
    algorithm: oids.id_PasswordBasedMac,
    parameters: { der: encodePBMParameter({ salt, owf: { algorithm: owf }, iterationCount, mac: { algorithm: mac } }) },
  };
}

const REFUSED: [string, AlgorithmIdentifier][] = [
  ['PBMAC1 with PBES2 where PBKDF2 belongs', pbmac1({ oid: oids.id_PBES2 })],
  ['PBMAC1 iterationCount below the minimum', pbmac1({ iterationCount: 999 })],
  ['PBMAC1 iterationCount above the maximum', pbmac1({ iterationCount: 262_145 })],
  ['PBMAC1 iterationCount absurd (2^31 - 1)', pbmac1({ iterationCount: 2 ** 31 - 1 })],
  ['PBMAC1 salt too short', pbmac1({ salt: { type: 'specified', value: new Uint8Array(7) } })],
  ['PBMAC1 salt too long', pbmac1({ salt: { type: 'specified', value: new Uint8Array(65) } })],
  ['PBMAC1 salt otherSource', pbmac1({ salt: { type: 'otherSource', value: { algorithm: '1.2.3.4' } } })],
  ['PBMAC1 keyLength too short', pbmac1({ keyLength: 8 })],
  ['PBMAC1 keyLength too long', pbmac1({ keyLength: 1024 })],
  ['PBMAC1 default PRF (hmacWithSHA1)', pbmac1({ prf: { algorithm: '' } })],
  ['PBMAC1 MAC hmacWithSHA1', pbmac1({}, { algorithm: oids.id_hmacWithSHA1, parameters: NULL })],
  ['PBMAC1 MAC hmacWithSHA224 (no WebCrypto SHA-224)', pbmac1({}, { algorithm: oids.id_hmacWithSHA224, parameters: NULL })],
  [
    'PBMAC1 MAC with parameters other than NULL',
    pbmac1({}, { algorithm: oids.id_hmacWithSHA256, parameters: { der: Uint8Array.of(2, 1, 0) } }),
  ],
  ['PBMAC1 without parameters', { algorithm: oids.id_PBMAC1 }],
  ['PasswordBasedMac iterationCount 99', pbm(salt16, 99)],
  ['PasswordBasedMac iterationCount 10 001', pbm(salt16, 10_001)],
  ['PasswordBasedMac negative iterationCount', pbm(salt16, -500)],
  ['PasswordBasedMac salt of 4 bytes', pbm(new Uint8Array(4), 500)],
  ['PasswordBasedMac OWF MD5', pbm(salt16, 500, '1.2.840.113549.2.5')],
  ['PasswordBasedMac MAC unknown', pbm(salt16, 500, oids.id_sha256, '1.2.840.113549.2.99')],
  ['PasswordBasedMac without parameters', { algorithm: oids.id_PasswordBasedMac }],
  ['DHBasedMac', { algorithm: oids.id_DHBasedMac }],
  ['an unknown algorithm', { algorithm: '1.2.3.4.5' }],
];

describe.each(providers)('MAC parameters are refused before key derivation ($name)', ({ crypto: base }) => {
  it.each(REFUSED)('%s: badAlg, no WebCrypto call', async (_label, protectionAlg) => {
    const { header, body } = unprotectedGenm();
    const message = decodePKIMessage(encodePKIMessage({ header: { ...header, protectionAlg }, body, protection: new Uint8Array(32) }));
    const { crypto, calls } = counting(base);
    await expect(verifyProtection(message, { mac: { secret: 'secret' } }, { crypto })).rejects.toMatchObject({
      name: 'ProtectionError',
      failInfo: ['badAlg'],
    });
    expect(calls).toEqual([]);
  });

  it('bounds are configurable, for sending and receiving alike', async () => {
    const mac = { algorithm: 'PasswordBasedMac', iterationCount: 50 } as const;
    await expect(protect(unprotectedGenm(), { secret: 's', senderKID: 'k', mac }, { crypto: base })).rejects.toMatchObject({
      failInfo: ['badAlg'],
    });
    const macBounds = { minIterations: 50 };
    const sent = await protect(unprotectedGenm(), { secret: 's', senderKID: 'k', mac }, { crypto: base, macBounds });
    const received = decodePKIMessage(encodePKIMessage(sent));
    await expect(verifyProtection(received, { mac: { secret: 's' } }, { crypto: base })).rejects.toMatchObject({ failInfo: ['badAlg'] });
    await expect(verifyProtection(received, { mac: { secret: 's' } }, { crypto: base, macBounds })).resolves.toMatchObject({ type: 'mac' });
  });

  it('PBMAC1 with 262 144 iterations (what clients in the field send) verifies with the default bounds', async () => {
    const mac = { algorithm: 'PBMAC1', iterationCount: 262_144 } as const;
    const sent = await protect(unprotectedGenm(), { secret: 's', senderKID: 'k', mac }, { crypto: base });
    const received = decodePKIMessage(encodePKIMessage(sent));
    await expect(verifyProtection(received, { mac: { secret: 's' } }, { crypto: base })).resolves.toMatchObject({ type: 'mac' });
  });

  it('per-algorithm bounds override the common ones, for their algorithm only', async () => {
    const { header, body } = unprotectedGenm();
    const pbmac1Alg = pbmac1({ iterationCount: 300_000 });
    const pbmAlg = pbm(salt16, 300_000);
    const macBounds = { maxIterations: 200_000, PBMAC1: { maxIterations: 300_000 } };
    for (const [protectionAlg, allowed] of [
      [pbmac1Alg, true],
      [pbmAlg, false],
    ] as const) {
      const message = decodePKIMessage(encodePKIMessage({ header: { ...header, protectionAlg }, body, protection: new Uint8Array(32) }));
      const outcome = verifyProtection(message, { mac: { secret: 'secret' } }, { crypto: base, macBounds });
      // Allowed parameters get as far as the MAC comparison (which fails: the value is zeros); refused ones stop at badAlg.
      await expect(outcome).rejects.toMatchObject({ failInfo: [allowed ? 'badMessageCheck' : 'badAlg'] });
    }
  });
});
