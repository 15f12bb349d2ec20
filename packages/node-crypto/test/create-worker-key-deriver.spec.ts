import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorkerKeyDeriver, type WorkerDerivationHash } from '../src/index.js';

const deriver = createWorkerKeyDeriver({ threads: 2 });
const threadOnly = createWorkerKeyDeriver({ inlineMaxIterations: 0 });
afterAll(() => Promise.all([deriver.close(), threadOnly.close()]));

const NODE = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;

/** RFC 9810 section 5.1.3.1, the obvious way: the OWF applied `count` times to secret || salt. */
function iteratedReference(hash: WorkerDerivationHash, secret: Uint8Array, salt: Uint8Array, count: number): Uint8Array {
  let key = createHash(NODE[hash]).update(secret).update(salt).digest();
  for (let i = 1; i < count; i++) key = createHash(NODE[hash]).update(key).digest();
  return new Uint8Array(key);
}

describe('createWorkerKeyDeriver', () => {
  const hashes: WorkerDerivationHash[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

  // 500 runs in the calling thread, 1237 on a worker (inlineMaxIterations 1000); threadOnly sends all.
  it.each(hashes.flatMap((h) => [1, 2, 3, 500, 1237].map((n) => [h, n] as const)))(
    'PasswordBasedMac %s x %d equals node:crypto, in the calling thread and on a worker',
    async (hash, count) => {
      const secret = randomBytes(1 + (count % 40));
      const salt = randomBytes(16);
      const expected = iteratedReference(hash, secret, salt, count);
      expect(await deriver.derive({ algorithm: 'PasswordBasedMac', owf: hash, secret, salt, iterationCount: count })).toEqual(expected);
      expect(await threadOnly.derive({ algorithm: 'PasswordBasedMac', owf: hash, secret, salt, iterationCount: count })).toEqual(expected);
    },
  );

  it('PasswordBasedMac known answer (SHA-256 x 500 of "perf-test-secret" || "saltSALTsaltSALT")', async () => {
    const text = (s: string) => new TextEncoder().encode(s);
    const key = await deriver.derive({
      algorithm: 'PasswordBasedMac',
      owf: 'SHA-256',
      secret: text('perf-test-secret'),
      salt: text('saltSALTsaltSALT'),
      iterationCount: 500,
    });
    expect(key).toEqual(iteratedReference('SHA-256', text('perf-test-secret'), text('saltSALTsaltSALT'), 500));
  });

  it.each(hashes)('PBKDF2 with HMAC-%s equals node:crypto', async (prf) => {
    const secret = randomBytes(12);
    const salt = randomBytes(16);
    const key = await deriver.derive({ algorithm: 'PBKDF2', prf, secret, salt, iterationCount: 1000, keyLength: 40 });
    expect(key).toEqual(new Uint8Array(pbkdf2Sync(secret, salt, 1000, 40, NODE[prf])));
  });

  it('runs many derivations on its threads and answers each with its own key', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) => ({ secret: randomBytes(8), salt: randomBytes(16), count: 100 + i }));
    const keys = await Promise.all(
      jobs.map((j) =>
        deriver.derive({ algorithm: 'PasswordBasedMac', owf: 'SHA-256', secret: j.secret, salt: j.salt, iterationCount: j.count }),
      ),
    );
    keys.forEach((key, i) => expect(key).toEqual(iteratedReference('SHA-256', jobs[i]!.secret, jobs[i]!.salt, jobs[i]!.count)));
  });

  it('deriveInline answers short PasswordBasedMac derivations at once, and nothing else', () => {
    const secret = randomBytes(8);
    const salt = randomBytes(16);
    const pbm = (owf: WorkerDerivationHash, iterationCount: number) =>
      deriver.deriveInline({ algorithm: 'PasswordBasedMac', owf, secret, salt, iterationCount });
    expect(pbm('SHA-256', 1000)).toEqual(iteratedReference('SHA-256', secret, salt, 1000));
    expect(pbm('SHA-1', 500)).toEqual(iteratedReference('SHA-1', secret, salt, 500));
    expect(pbm('SHA-256', 1001)).toBeUndefined();
    expect(pbm('SHA-512', 10)).toBeUndefined();
    expect(deriver.deriveInline({ algorithm: 'PBKDF2', prf: 'SHA-256', secret, salt, iterationCount: 1, keyLength: 32 })).toBeUndefined();
    expect(threadOnly.deriveInline({ algorithm: 'PasswordBasedMac', owf: 'SHA-256', secret, salt, iterationCount: 2 })).toBeUndefined();
  });

  it('a view into a larger buffer is derived from its own bytes only', async () => {
    const message = randomBytes(4096);
    const secret = message.subarray(100, 112);
    const salt = message.subarray(2000, 2016);
    const key = await threadOnly.derive({ algorithm: 'PBKDF2', prf: 'SHA-256', secret, salt, iterationCount: 10, keyLength: 32 });
    expect(key).toEqual(new Uint8Array(pbkdf2Sync(secret, salt, 10, 32, 'sha256')));
  });

  it('refuses what it cannot derive, and keeps working', async () => {
    await expect(
      deriver.derive({
        algorithm: 'PBKDF2',
        prf: 'MD5' as never,
        secret: randomBytes(4),
        salt: randomBytes(8),
        iterationCount: 1,
        keyLength: 16,
      }),
    ).rejects.toThrow(/unsupported hash MD5/);
    await expect(
      deriver.derive({ algorithm: 'PasswordBasedMac', owf: 'SHA-256', secret: randomBytes(4), salt: randomBytes(8), iterationCount: 2 }),
    ).resolves.toHaveLength(32);
  });

  it('after close, derivations are refused', async () => {
    const own = createWorkerKeyDeriver();
    await own.derive({ algorithm: 'PasswordBasedMac', owf: 'SHA-1', secret: randomBytes(4), salt: randomBytes(8), iterationCount: 3 });
    await own.close();
    await expect(
      own.derive({ algorithm: 'PasswordBasedMac', owf: 'SHA-1', secret: randomBytes(4), salt: randomBytes(8), iterationCount: 3 }),
    ).rejects.toThrow(/closed/);
    expect(() => createWorkerKeyDeriver({ threads: 0 })).toThrow(RangeError);
    expect(() => createWorkerKeyDeriver({ inlineMaxIterations: -1 })).toThrow(RangeError);
  });
});
