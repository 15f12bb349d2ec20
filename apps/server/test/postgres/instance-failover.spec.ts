// A load of enrollments on two `cmpkit-server` processes sharing one PostgreSQL database; one is
// killed (SIGKILL, by its PID) part-way. No certificate a client received is lost, and the
// transactions the killed instance had opened finish on the other one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseName } from '@cmpkit/codec';
import { createClient, isTransportError, RemoteError, type Transport } from '@cmpkit/core';
import { httpTransport } from '@cmpkit/transport-http';
import type { ServerStore } from '@cmpkit/issuer';
import { postgresMissing, postgresUrl, type TestDatabase } from '@cmpkit/test-utils';
import { serialOf } from '../helpers.js';
import type { ServerProcess } from './server-process.js';
import { startTwoInstances } from './two-instances.js';

const ENROLLMENTS = 30;
const CONCURRENCY = 6;
/** A is killed when it has answered this many irs, before that answer reaches its client. */
const KILL_AT_IR = 8;

describe.skipIf(!postgresUrl)(
  `failover between server processes on one PostgreSQL database${postgresUrl ? '' : ` (skipped: ${postgresMissing})`}`,
  () => {
    let database: TestDatabase;
    let store: ServerStore;
    let a: ServerProcess;
    let b: ServerProcess;

    beforeAll(async () => {
      ({ database, a, b, store } = await startTwoInstances());
    }, 120_000);

    afterAll(async () => {
      await Promise.all([a?.kill(), b?.stop()]);
      await store?.close();
      await database?.drop();
    });

    it('loses no certificate when an instance is killed mid-way', async () => {
      const toA = httpTransport({ url: a.url });
      const toB = httpTransport({ url: b.url });
      let aAlive = true;
      let irsAnsweredByA = 0;
      let failovers = 0;
      /** certConfs A took and never answered: B sees a replay, so that certificate waits for confirmWaitTime. */
      let lostConfirmations = 0;
      /** Clients whose ir A answered and whose certConf B then answered. */
      let finishedOnB = 0;

      /** Prefers A (every other client), else B; a request A cannot answer goes to B. */
      function instanceTransport(preferA: boolean): Transport {
        let sent = 0;
        let irOnA = false;
        return {
          async send(request, options) {
            const first = sent++ === 0;
            if (preferA && aAlive) {
              try {
                const response = await toA.send(request, options);
                if (first) {
                  irOnA = true;
                  if (++irsAnsweredByA === KILL_AT_IR) {
                    aAlive = false;
                    await a.kill();
                  }
                }
                return response;
              } catch (error) {
                if (!isTransportError(error)) throw error;
                aAlive = false;
                failovers++;
                if (!first) lostConfirmations++;
              }
            }
            const response = await toB.send(request, options);
            if (irOnA && !first) finishedOnB++;
            return response;
          },
        };
      }

      const received: Uint8Array[] = [];
      const enrolled: Uint8Array[] = [];
      async function enroll(index: number): Promise<void> {
        const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
          'sign',
          'verify',
        ])) as CryptoKeyPair;
        // A request A took but never answered is a replay to B (its senderNonce is known): the
        // client starts over with a new transaction, as a device would.
        for (let attempt = 0; ; attempt++) {
          const client = createClient({
            transport: instanceTransport(index % 2 === 0),
            credential: { secret: 'demo-secret-change-me', senderKID: 'demo' },
            onCertificate: (certificate) => {
              received.push(certificate.certificate);
              return { accept: true };
            },
          });
          try {
            enrolled.push((await client.enroll({ keyPair, subject: parseName(`/CN=load-${index}`) })).certificate);
            return;
          } catch (error) {
            if (!(error instanceof RemoteError) || attempt >= 2) throw error;
          }
        }
      }

      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < ENROLLMENTS) await enroll(next++);
        }),
      );

      expect(aAlive).toBe(false);
      expect(enrolled).toHaveLength(ENROLLMENTS);
      expect(finishedOnB).toBeGreaterThanOrEqual(1);
      for (const certificate of received) {
        expect(await store.certificates.get(serialOf(certificate)), `certificate ${serialOf(certificate)}`).toBeDefined();
      }
      for (const certificate of enrolled) {
        expect((await store.certificates.get(serialOf(certificate)))?.status).toBe('confirmed');
      }
      // Still waiting for a certConf (revoked when confirmWaitTime passes): certificates issued by A
      // whose ip never left it, and those whose certConf A took when it was killed (B refuses the
      // resent certConf as a replay and the client starts over).
      const unconfirmed = await store.certificates.list({ status: 'issued' });
      const receivedSerials = new Set(received.map(serialOf));
      expect(unconfirmed.filter((c) => receivedSerials.has(c.serial)).length).toBeLessThanOrEqual(lostConfirmations);
      console.info(
        `failover: ${ENROLLMENTS} enrollments, A killed after ${KILL_AT_IR} irs, ${failovers} requests failed over, ${finishedOnB} transactions finished on B, ${unconfirmed.length} orphaned issuances`,
      );
    }, 120_000);
  },
);
