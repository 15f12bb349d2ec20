// Two `cmpkit-server serve` processes on one PostgreSQL database serve one CA: a transaction moves
// between them, a replay is caught by the other one, a revocation on one is in the CRL of the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePKIMessage, parseName } from '@cmpkit/codec';
import { createClient, RemoteError, type Transport } from '@cmpkit/core';
import { httpTransport } from '@cmpkit/transport-http';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import type { ServerStore } from '@cmpkit/issuer';
import { postgresMissing, postgresUrl, type TestDatabase } from '@cmpkit/test-utils';
import { crlContent, serialOf } from '../helpers.js';
import type { ServerProcess } from './server-process.js';
import { startTwoInstances } from './two-instances.js';

const SECRET = { secret: 'demo-secret-change-me', senderKID: 'demo' };

async function keyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** Sends the first `first` requests of a client to one server and the rest to another; counts what each got. */
function splitTransport(a: string, b: string, first = 1) {
  const sent = { a: 0, b: 0 };
  const toA = httpTransport({ url: a });
  const toB = httpTransport({ url: b });
  const transport: Transport = {
    send: (request, options) => (sent.a < first ? (sent.a++, toA.send(request, options)) : (sent.b++, toB.send(request, options))),
  };
  return { transport, sent };
}

function client(transport: Transport) {
  return createClient({ transport, credential: SECRET, sleep: async () => {} });
}

describe.skipIf(!postgresUrl)(
  `two server processes on one PostgreSQL database${postgresUrl ? '' : ` (skipped: ${postgresMissing})`}`,
  () => {
    let database: TestDatabase;
    let store: ServerStore;
    let a: ServerProcess;
    let b: ServerProcess;

    beforeAll(async () => {
      ({ database, a, b, store } = await startTwoInstances({ policy: { allowMacRevocation: true }, expirySweepSeconds: 3600 }));
    }, 120_000);

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await store?.close();
      await database?.drop();
    });

    it('continues a transaction on the other instance: ir on A, certConf on B', async () => {
      const { transport, sent } = splitTransport(a.url, b.url);
      const result = await client(transport).enroll({ keyPair: await keyPair(), subject: parseName('/CN=ir-on-a') });
      expect(sent).toEqual({ a: 1, b: 1 });
      expect(await store.certificates.get(serialOf(result.certificate))).toMatchObject({ status: 'confirmed', subject: '/CN=ir-on-a' });
    });

    it('answers the polls of a delayed request accepted by A on B', async () => {
      const { transport, sent } = splitTransport(`${a.url}/p/delayed`, `${b.url}/p/delayed`);
      const result = await client(transport).enroll({ keyPair: await keyPair(), subject: parseName('/CN=polled-on-b') });
      expect(sent.a).toBe(1);
      expect(sent.b).toBeGreaterThanOrEqual(3); // two pollReqs, then certConf
      expect(await store.certificates.get(serialOf(result.certificate))).toMatchObject({ status: 'confirmed', profile: 'delayed' });
      expect((await store.pending.list()).find((p) => p.serial === serialOf(result.certificate))).toMatchObject({
        status: 'issued',
        polls: 2,
      });
    });

    it('refuses on B a request replayed from A (badSenderNonce)', async () => {
      let captured: Uint8Array | undefined;
      const toA = httpTransport({ url: a.url });
      await client({ send: (request, options) => ((captured = request), toA.send(request, options)) }).getCaCertificates();
      const replayed = decodePKIMessage(await httpTransport({ url: b.url }).send(captured!));
      expect(replayed.body.type).toBe('error');
      expect(replayed.body.type === 'error' && replayed.body.content.pKIStatusInfo.failInfo).toContain('badSenderNonce');
    });

    it('sees on B a revocation made on A: B refuses it again and its CRL lists the certificate', async () => {
      const viaA = client(httpTransport({ url: a.url }));
      const viaB = client(httpTransport({ url: b.url }));
      const { certificate } = await viaA.enroll({ keyPair: await keyPair(), subject: parseName('/CN=revoked-on-a') });
      await viaA.revoke({ certificate, reason: 1 });
      const again = await viaB.revoke({ certificate, reason: 1 }).catch((error: unknown) => error);
      expect(again).toBeInstanceOf(RemoteError);
      expect((again as RemoteError).failInfo).toContain('certRevoked');
      const issuer = parseName(DEFAULT_CONFIG.ca.issuingSubject);
      const [crl] = await viaB.getCrls([{ source: { type: 'issuer', value: [{ type: 'directoryName', value: issuer }] } }]);
      expect(crlContent(crl!).entries.get(serialOf(certificate))).toBe(1);
    });
  },
);
