// Password-based key derivations are the one step whose cost an unauthenticated peer chooses.
// The engine runs them on the injected deriver under a concurrency cap: these tests hold
// derivations open (a deriver the test releases) and check what holds on any machine: other
// requests are answered meanwhile, at most maxConcurrent run, waiting ones start in order, and
// one more than the queue holds is refused with systemUnavail.
import { CmpError } from '@cmpkit/codec';
import { inlineKeyDeriver, type PasswordDerivation, type PasswordKeyDeriver } from '@cmpkit/protection';
import { deferred, fakeClock, waitUntil, type Deferred } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { limitKeyDerivations } from '../../src/server/key-derivation-limit.js';
import { genmBody } from './support/bodies.js';
import { createTestPki, type TestPki } from './support/pki.js';
import { createTestIssuer } from './support/test-issuer.js';
import { buildRequest, exchangeRaw, expectErrorBody, makeServer, PBM } from './support/wire.js';

/** A deriver whose derivations wait until the test releases them (and every later one). */
function heldDeriver(): PasswordKeyDeriver & { started: PasswordDerivation[]; release(): void } {
  const inline = inlineKeyDeriver();
  const started: PasswordDerivation[] = [];
  const gate: Deferred = deferred();
  return {
    started,
    release: () => gate.resolve(),
    async derive(derivation) {
      started.push(derivation);
      await gate.promise;
      return inline.derive(derivation);
    },
  };
}

const derivation = (iterationCount: number): PasswordDerivation => ({
  algorithm: 'PasswordBasedMac',
  owf: 'SHA-256',
  secret: new Uint8Array(8),
  salt: new Uint8Array(16),
  iterationCount,
});

describe('limitKeyDerivations', () => {
  it('runs at most maxConcurrent, starts waiting ones in arrival order, refuses beyond maxQueued', async () => {
    const held = heldDeriver();
    const limited = limitKeyDerivations(held, { maxConcurrent: 2, maxQueued: 2 });
    const results = [100, 101, 102, 103].map((n) => limited.derive(derivation(n)));
    const refused = await limited.derive(derivation(104)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CmpError);
    expect(refused).toMatchObject({ failInfo: ['systemUnavail'] });
    await waitUntil(() => held.started.length === 2);
    expect(held.started.map((d) => d.iterationCount)).toEqual([100, 101]);
    held.release();
    await waitUntil(() => held.started.length === 4);
    expect(held.started.map((d) => d.iterationCount)).toEqual([100, 101, 102, 103]);
    const keys = await Promise.all(results);
    expect(keys.map((k) => k.length)).toEqual([32, 32, 32, 32]);
  });

  it('derivations the deriver runs inline take no place and never wait', async () => {
    const held = heldDeriver();
    const inline = inlineKeyDeriver();
    const key = new Uint8Array(32).fill(7);
    const mixed: PasswordKeyDeriver = {
      derive: (d) => held.derive(d),
      deriveInline: (d) => (d.iterationCount < 1000 ? key : undefined),
    };
    const limited = limitKeyDerivations(mixed, { maxConcurrent: 1, maxQueued: 0 });
    const long = limited.derive(derivation(5000));
    await waitUntil(() => held.started.length === 1);
    // The cap is reached (one running, no queue), yet a short derivation is answered at once.
    await expect(limited.derive(derivation(500))).resolves.toBe(key);
    expect(limited.deriveInline?.(derivation(500))).toBe(key);
    await expect(limited.derive(derivation(5000))).rejects.toMatchObject({ failInfo: ['systemUnavail'] });
    held.release();
    await expect(long).resolves.toEqual(await inline.derive(derivation(5000)));
  });

  it('a failing derivation frees its place', async () => {
    let calls = 0;
    const failing: PasswordKeyDeriver = {
      derive: () => {
        calls++;
        if (calls === 1) throw new Error('worker died');
        return Promise.resolve(new Uint8Array(4));
      },
    };
    const limited = limitKeyDerivations(failing, { maxConcurrent: 1, maxQueued: 0 });
    await expect(limited.derive(derivation(100))).rejects.toThrow('worker died');
    await expect(limited.derive(derivation(100))).resolves.toHaveLength(4);
  });

  it('refuses limits that are not counts', () => {
    const inline = inlineKeyDeriver();
    expect(() => limitKeyDerivations(inline, { maxConcurrent: 0, maxQueued: 1 })).toThrow(RangeError);
    expect(() => limitKeyDerivations(inline, { maxConcurrent: 1, maxQueued: -1 })).toThrow(RangeError);
  });
});

describe('the server under password-based key derivations', () => {
  const clock = fakeClock();
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki(clock.date);
  });

  it('answers a signed request while MAC derivations are held, and refuses one beyond the queue', async () => {
    const held = heldDeriver();
    const server = makeServer({
      pki,
      issuer: createTestIssuer(pki),
      init: { keyDerivation: { deriver: held, maxConcurrent: 1, maxQueued: 2 } },
    });
    const macRequests = await Promise.all([1, 2, 3].map(() => buildRequest({ body: genmBody(), protection: PBM, now: clock.date() })));
    const pending = macRequests.map((r) => exchangeRaw(server, r.bytes));
    await waitUntil(() => held.started.length === 1);
    // The fourth MAC request finds one running and two waiting: refused at once.
    const extra = await buildRequest({ body: genmBody(), protection: PBM, now: clock.date() });
    const busy = await exchangeRaw(server, extra.bytes);
    expect(expectErrorBody(busy, ['systemUnavail'])).toMatch(/key derivations/);
    // A signed request needs no derivation and is answered while the others wait.
    const signed = await buildRequest({ body: genmBody(), protection: pki.other.credential, now: clock.date() });
    expect((await exchangeRaw(server, signed.bytes)).body.type).toBe('genp');
    expect(held.started).toHaveLength(1);
    // Released, the three MAC requests are answered, one derivation each (the answer reuses the request's key).
    held.release();
    const answers = await Promise.all(pending);
    expect(held.started).toHaveLength(3);
    expect(answers.map((a) => a.body.type)).toEqual(['genp', 'genp', 'genp']);
  });
});
