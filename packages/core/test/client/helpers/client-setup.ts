import { createClient, type ClientInit, type CmpClient } from '@cmpkit/core';
import { fakeClock, type FakeClock } from '@cmpkit/test-utils';
import { MAC_CREDENTIAL, scriptedServer, type ReplyProtection, type Script, type ScriptedServer } from './scripted-server.js';
import { T0 } from './test-pki.js';

/** A client, its scripted server and the fake clock they share. */
export interface ClientSetup {
  clock: FakeClock;
  server: ScriptedServer;
  client: CmpClient;
  /** Every sleep the client asked for, in ms. */
  sleeps: number[];
}

/**
 * A client (MAC-protected by default) talking to a scripted server, on a fake clock starting at
 * T0 with a recording sleep.
 */
export function clientSetup(
  script: readonly Script[],
  init: Partial<ClientInit> = {},
  serverInit: { protection?: ReplyProtection; extraCerts?: readonly Uint8Array[] } = {},
): ClientSetup {
  const clock = fakeClock({ start: T0 });
  const sleeps: number[] = [];
  const server = scriptedServer(
    {
      clock: clock.date,
      protection: serverInit.protection ?? MAC_CREDENTIAL,
      ...(serverInit.extraCerts ? { extraCerts: serverInit.extraCerts } : {}),
    },
    script,
  );
  const client = createClient({
    transport: server.transport,
    credential: MAC_CREDENTIAL,
    clock: clock.date,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return clock.sleep(ms, signal);
    },
    ...init,
  });
  return { clock, server, client, sleeps };
}

/**
 * Lets pending promise callbacks run until the client sleeps. Bounded by real time, not by a number
 * of turns: WebCrypto work runs on the thread pool and takes many turns on a loaded machine.
 */
export async function untilSleeping(clock: FakeClock, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (clock.pending() === 0 && Date.now() < deadline) await new Promise<void>((resolve) => setImmediate(resolve));
  if (clock.pending() === 0) throw new Error('the client did not go to sleep');
}

/** Resolves to the rejection reason of `promise` (fails when it resolves). */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}
