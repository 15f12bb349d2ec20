import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  createAlgorithmRegistry,
  defaultAlgorithmProviders,
  defaultAlgorithms,
  syncDigestProvider,
  type SyncHash,
} from '../../src/index.js';
import { computeMac, resolveMacProtection } from '../../src/mac/mac-protection.js';
import { passwordBasedMacIdentifier } from '../../src/mac/password-based-mac.js';
import { pbmac1Identifier } from '../../src/mac/pbmac1.js';
import { inlineKeyDeriver } from '../../src/kdf/inline-key-deriver.js';
import { providers } from '../helpers.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** PBKDF2-HMAC-SHA256 vectors in the style of RFC 6070 (as published with RFC 7914 section 11 and widely reproduced). */
const PBKDF2_SHA256: [string, string, number, number, string][] = [
  ['password', 'salt', 1, 32, '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b'],
  ['password', 'salt', 2, 32, 'ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43'],
  ['password', 'salt', 4096, 32, 'c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a'],
  [
    'passwordPASSWORDpassword',
    'saltSALTsaltSALTsaltSALTsaltSALTsalt',
    4096,
    40,
    '348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9',
  ],
  ['pass\0word', 'sa\0lt', 4096, 16, '89b69d0516f829893c696226650a8687'],
  [
    'passwd',
    'salt',
    1,
    64,
    '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
  ],
];

describe.each(providers)('MAC known answers ($name)', ({ crypto }) => {
  it.each(PBKDF2_SHA256)('PBKDF2-HMAC-SHA256(%j, %j, %d, %d)', async (password, salt, c, dkLen, expected) => {
    const derivation = {
      algorithm: 'PBKDF2',
      prf: 'SHA-256',
      secret: text(password),
      salt: text(salt),
      iterationCount: c,
      keyLength: dkLen,
    } as const;
    expect(hex(await inlineKeyDeriver({ crypto }).derive(derivation))).toBe(expected);
  });

  it('PBMAC1 (PBKDF2-HMAC-SHA256, 4096 iterations, HMAC-SHA256)', async () => {
    const id = pbmac1Identifier({ algorithm: 'PBMAC1', salt: text('saltSALTsaltSALT'), iterationCount: 4096 }, crypto);
    const resolved = resolveMacProtection(id, defaultAlgorithms);
    const mac = await computeMac(crypto, resolved, text('password'), text('cmpkit PBMAC1 known answer'));
    // Python: hmac(sha256, pbkdf2_hmac('sha256', b'password', b'saltSALTsaltSALT', 4096, 32), msg)
    expect(hex(mac)).toBe('c91a1b8700ae1f5211446603951097c63212f5f2775f67d4cc32f003117adbcb');
  });

  it('PBMAC1 (PBKDF2-HMAC-SHA512, keyLength 64, HMAC-SHA512)', async () => {
    const id = pbmac1Identifier(
      { algorithm: 'PBMAC1', salt: text('saltSALTsaltSALT'), iterationCount: 4096, prf: 'SHA-512', mac: 'SHA-512' },
      crypto,
    );
    const mac = await computeMac(crypto, resolveMacProtection(id, defaultAlgorithms), text('password'), text('cmpkit PBMAC1 known answer'));
    expect(hex(mac)).toBe(
      '18cbc8e10e1350b5b196c2cc6a134b7730305b037919c8a2ea1e2643e7ddaea0581f7a9d9dc912a89b8cd3126cc6e2f5ec0fea26da057a3d21e4157668bf7b56',
    );
  });

  it('PasswordBasedMac (OWF SHA-256 x 500, hMAC-SHA1)', async () => {
    const id = passwordBasedMacIdentifier(
      { algorithm: 'PasswordBasedMac', salt: text('saltSALTsaltSALT'), iterationCount: 500, mac: 'SHA-1' },
      crypto,
    );
    const mac = await computeMac(
      crypto,
      resolveMacProtection(id, defaultAlgorithms),
      text('perf-test-secret'),
      text('cmpkit PBM known answer'),
    );
    // Python: K = secret || salt, K = sha256(K) 500 times, hmac(sha1, K, msg)
    expect(hex(mac)).toBe('c46d9b37b86ebe106fa921b065f97e934a0cd750');
  });

  it('PasswordBasedMac with a synchronous OWF (syncDigestProvider) gives the same known answer', async () => {
    const used: string[] = [];
    const hash: SyncHash = (name, data) => {
      used.push(name);
      return new Uint8Array(createHash(name.replace('-', '').toLowerCase()).update(data).digest());
    };
    const algorithms = createAlgorithmRegistry([syncDigestProvider(hash), ...defaultAlgorithmProviders]);
    const id = passwordBasedMacIdentifier(
      { algorithm: 'PasswordBasedMac', salt: text('saltSALTsaltSALT'), iterationCount: 500, mac: 'SHA-1' },
      crypto,
    );
    const mac = await computeMac(crypto, resolveMacProtection(id, algorithms), text('perf-test-secret'), text('cmpkit PBM known answer'));
    expect(hex(mac)).toBe('c46d9b37b86ebe106fa921b065f97e934a0cd750');
    expect(used).toHaveLength(500);
    expect(new Set(used)).toEqual(new Set(['SHA-256']));
  });
});
