// A store that fails is answered as CMP: the engine turns a StoreError (from a store wrapped with
// withStoreErrors, or a flush of the request's writes that rejects) into a protected error message
// with systemFailure and "try again later", counts it in the log, and never rejects.
import { parseName } from '@cmpkit/codec';
import {
  createClient,
  isStoreError,
  memoryNonceStore,
  memorySecretStore,
  memoryTransactionStore,
  RemoteError,
  StoreError,
  withStoreErrors,
  type NonceStore,
  type WriteDurability,
} from '@cmpkit/core';
import { fakeClock } from '@cmpkit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, newKeyPair, type TestPki } from './support/pki.js';
import { createTestIssuer } from './support/test-issuer.js';
import {
  capturingLogger,
  expectBoundTo,
  expectErrorBody,
  MAC,
  makeServer,
  recordingTransport,
  REF,
  SECRET,
  verifyResponse,
} from './support/wire.js';

const clock = fakeClock();
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki(clock.date);
});

/** A nonce store whose database can be switched off. */
function switchableNonces(): NonceStore & { down: boolean } {
  const inner = memoryNonceStore(clock.date);
  const store = {
    down: false,
    remember(nonce: string, ttl: number) {
      if (store.down) throw new Error('SQLITE_IOERR: disk I/O error');
      return inner.remember(nonce, ttl);
    },
  };
  return store;
}

describe('withStoreErrors', () => {
  it('turns what a store method throws or rejects with into a StoreError naming the operation; CmpErrors and RangeErrors pass', async () => {
    const cause = new Error('connection terminated');
    const refused = new RangeError('a reference must not be empty');
    const store = withStoreErrors(
      {
        count: () => 3,
        broken: (): number => {
          throw cause;
        },
        rejects: async () => Promise.reject(cause),
        refuses: async () => Promise.reject(refused),
        rejectsCmp: async () => Promise.reject(new StoreError('inner', cause)),
      },
      'things',
    );
    expect(store.count()).toBe(3);
    const thrown = (() => {
      try {
        store.broken();
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(StoreError);
    expect(thrown).toMatchObject({ operation: 'things.broken', cause, failInfo: ['systemFailure'], code: 'CMP_ERR_STORE' });
    const rejected = await store.rejects().catch((e: unknown) => e);
    expect(isStoreError(rejected)).toBe(true);
    expect(rejected).toMatchObject({ operation: 'things.rejects', cause });
    await expect(store.refuses()).rejects.toBe(refused);
    await expect(store.rejectsCmp()).rejects.toMatchObject({ operation: 'inner' });
  });
});

describe('store failures in the server engine', () => {
  it('a failing store: protected error with systemFailure and "try again later", counted in the log; the retry succeeds', async () => {
    const nonces = switchableNonces();
    const logger = capturingLogger();
    const server = makeServer({
      pki,
      issuer: createTestIssuer(pki),
      logger,
      init: { stores: { nonces: withStoreErrors(nonces, 'nonces') } },
    });
    const recorder = recordingTransport(server);
    const client = createClient({ transport: recorder.transport, credential: MAC, clock: clock.date, sleep: clock.sleep });
    nonces.down = true;
    for (const n of [1, 2]) {
      const error = await client.enroll({ keyPair: await newKeyPair(), subject: parseName(`/CN=down-${n}`) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteError);
      const { request, response } = recorder.log.at(-1)!;
      expectBoundTo(response, request);
      expect(expectErrorBody(response, ['systemFailure'])).toMatch(/try again later/);
      expect(await verifyResponse(response, pki)).toBe('mac');
    }
    const failures = logger.lines.filter((l) => l.message === 'cmp: store failure');
    expect(failures.map((l) => l.level)).toEqual(['error', 'error']);
    expect(failures.map((l) => l.data)).toEqual([
      { failures: 1, operation: 'nonces.remember', error: 'SQLITE_IOERR: disk I/O error' },
      { failures: 2, operation: 'nonces.remember', error: 'SQLITE_IOERR: disk I/O error' },
    ]);
    expect(logger.text()).not.toMatch(/internal error/);

    nonces.down = false;
    await expect(client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=up') })).resolves.toMatchObject({ status: 0 });
  });

  it('writes that cannot be flushed: the answer that would report them becomes an error; it waits for the flush otherwise', async () => {
    let failNext = false;
    const flushed: number[] = [];
    let mark = 0;
    const durability: WriteDurability = {
      writeMark: () => ++mark,
      async flush(since) {
        if (failNext) {
          failNext = false;
          throw new Error('the batch of writes could not be committed');
        }
        flushed.push(since ?? -1);
      },
    };
    const issuer = createTestIssuer(pki);
    const server = makeServer({
      pki,
      issuer,
      init: { stores: { transactions: memoryTransactionStore(clock.date), nonces: memoryNonceStore(clock.date), durability } },
    });
    const recorder = recordingTransport(server);
    const client = createClient({ transport: recorder.transport, credential: MAC, clock: clock.date, sleep: clock.sleep });

    await client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=flushed') });
    expect(recorder.types()).toEqual(['ir>ip', 'certConf>pkiconf']);
    expect(flushed).toEqual([1, 2]); // one mark per request, flushed before each answer

    failNext = true;
    const error = await client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=lost') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    const { request, response } = recorder.log.at(-1)!;
    expect(request.body.type).toBe('ir');
    expectBoundTo(response, request);
    expect(expectErrorBody(response, ['systemFailure'])).toMatch(/try again later/);
    expect(await verifyResponse(response, pki)).toBe('mac');
  });

  it('a secret store that cannot be read: the error is signed by the server instead of MACed', async () => {
    const secrets = memorySecretStore({ [REF]: SECRET });
    let down = false;
    const server = makeServer({
      pki,
      issuer: createTestIssuer(pki),
      protection: {
        secrets: withStoreErrors(
          {
            get: async (kid: Uint8Array) => {
              if (down) throw new Error('connection refused');
              return secrets.get(kid);
            },
          },
          'secrets',
        ),
      },
    });
    const recorder = recordingTransport(server);
    const client = createClient({
      transport: recorder.transport,
      credential: MAC,
      trust: { mac: { secret: SECRET }, signature: { anchors: [pki.root.certificate] } },
      clock: clock.date,
      sleep: clock.sleep,
    });
    down = true;
    await expect(client.enroll({ keyPair: await newKeyPair(), subject: parseName('/CN=x') })).rejects.toMatchObject({
      failInfo: ['systemFailure'],
    });
    const { response } = recorder.log.at(-1)!;
    expect(expectErrorBody(response, ['systemFailure'])).toMatch(/try again later/);
    expect(await verifyResponse(response, pki)).toBe('signature');
  });
});
