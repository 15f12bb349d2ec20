// Storage failures are answered as CMP: a database that cannot be written (or reached) gets the
// request a protected error message with systemFailure and "try again later", never a transport
// failure; nothing of the request stays half-stored; the failures are counted in the log; and the
// same client enrolls once the fault clears. The faults are real ones of the database: a SQLite
// connection switched to read-only, a trigger that fails a write part-way through a request, a
// PostgreSQL role whose connections are cut and refused, or turned read-only.
import { afterEach, describe, expect, it } from 'vitest';
import { decodePKIMessage, parseName, type DecodedPKIMessage } from '@cmpkit/codec';
import { createClient, loopbackTransport, RemoteError, type CmpServer, type Transport } from '@cmpkit/core';
import { verifyProtection } from '@cmpkit/protection';
import type { SqliteServerStore } from '@cmpkit/store-sqlite';
import { createFaultyTestDatabase, postgresMissing, postgresUrl, type FaultyTestDatabase } from '@cmpkit/test-utils';
import { loadConfig } from '../../src/config/load-config.js';
import { lineLogger } from '../../src/log/logger.js';
import { createCmpService } from '../../src/server/cmp-service.js';
import { runHousekeeping } from '../../src/server/housekeeping.js';
import { openServerContext, type ServerContext } from '../../src/server/server-context.js';
import { crlContent, serialOf, tempDir } from '../helpers.js';

const SECRET = 'demo-secret-change-me';
const silent = lineLogger(
  () => {},
  'silent',
  () => new Date(),
);

interface Service {
  ctx: ServerContext;
  server: CmpServer;
  /** The service's clock: the real time plus what the test advanced. */
  clock: (() => Date) & { advance(ms: number): void };
  /** The log lines written so far. */
  log: string[];
  /** Every response the service sent, decoded. */
  responses: DecodedPKIMessage[];
  enroll(subject: string): Promise<Uint8Array>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openService(database?: string): Promise<Service> {
  const log: string[] = [];
  let offset = 0;
  const clock = Object.assign(() => new Date(Date.now() + offset), {
    advance: (ms: number) => {
      offset += ms;
    },
  });
  const logger = lineLogger((text) => log.push(text), 'info', clock);
  const config = await loadConfig({ cwd: tempDir(), ...(database ? { database } : {}) });
  const ctx = await openServerContext(config, { clock, crypto, logger });
  cleanups.push(() => ctx.close());
  const service = createCmpService(ctx, logger);
  const responses: DecodedPKIMessage[] = [];
  const loopback = loopbackTransport(service.handle);
  const recording: Transport = {
    async send(request, options) {
      const response = await loopback.send(request, options);
      responses.push(decodePKIMessage(response));
      return response;
    },
  };
  const client = createClient({
    transport: recording,
    clock,
    credential: { secret: SECRET, senderKID: 'demo' },
    trust: {
      mac: { secret: SECRET },
      signature: { anchors: [ctx.material.root.certificate], untrusted: [ctx.material.issuing.certificate] },
    },
    trustAnchors: [ctx.material.root.certificate],
  });
  return {
    ctx,
    server: service,
    clock,
    log,
    responses,
    async enroll(subject) {
      const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      return (await client.enroll({ keyPair, subject: parseName(subject) })).certificate;
    },
  };
}

/** The enrollment fails with the server's systemFailure error message, protected the way `protection` says. */
async function expectStoreFailure(service: Service, subject: string, protection: 'mac' | 'signature'): Promise<void> {
  const error = await service.enroll(subject).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RemoteError);
  expect((error as RemoteError).failInfo).toEqual(['systemFailure']);
  const answer = service.responses.at(-1)!;
  expect(answer.body.type).toBe('error');
  if (answer.body.type !== 'error') return;
  expect(answer.body.content.pKIStatusInfo).toMatchObject({ status: 2, failInfo: ['systemFailure'] });
  expect(answer.body.content.pKIStatusInfo.statusString?.join(' ')).toMatch(/try again later/);
  const verified = await verifyProtection(answer, {
    mac: { secret: SECRET },
    signature: { anchors: [service.ctx.material.root.certificate], untrusted: [service.ctx.material.issuing.certificate] },
  });
  expect(verified.type).toBe(protection);
}

function storeFailureLines(service: Service): string[] {
  return service.log.filter((line) => /error .*cmp: store failure/.test(line));
}

describe('storage failures on SQLite', () => {
  it('a database that cannot be written: systemFailure, try again later; counted in the log; the retry after the fault enrolls', async () => {
    const service = await openService();
    const db = (service.ctx.store as SqliteServerStore).db;
    await service.enroll('/CN=before');
    const stored = (await service.ctx.store.certificates.list()).length;

    db.pragma('query_only = ON');
    await expectStoreFailure(service, '/CN=during-1', 'mac');
    await expectStoreFailure(service, '/CN=during-2', 'mac');
    expect(storeFailureLines(service)).toEqual([
      expect.stringMatching(/failures=1 .*readonly database/),
      expect.stringMatching(/failures=2 .*readonly database/),
    ]);

    db.pragma('query_only = OFF');
    const certificate = await service.enroll('/CN=after');
    expect(await service.ctx.store.certificates.get(serialOf(certificate))).toMatchObject({ status: 'confirmed', subject: '/CN=after' });
    expect((await service.ctx.store.certificates.list()).length).toBe(stored + 1);
  });

  it('a write failing after the certificate was stored: the certificate nobody received is revoked by the housekeeping', async () => {
    const service = await openService();
    const db = (service.ctx.store as SqliteServerStore).db;
    // The record update after issuance fails, as a full disk would fail it.
    db.exec(`CREATE TRIGGER injected_fault BEFORE UPDATE ON transactions BEGIN SELECT RAISE(ABORT, 'injected write failure'); END`);

    await expectStoreFailure(service, '/CN=half', 'mac');
    expect(storeFailureLines(service)).toEqual([
      expect.stringMatching(/failures=1 operation=transactions\.update .*injected write failure/),
    ]);
    await service.ctx.store.flush();
    // The request's writes of earlier event-loop turns are committed: a certificate whose
    // transaction is gone. No end entity holds it; once every confirmation window has closed the
    // housekeeping revokes it, as it would an unconfirmed one.
    const [orphan] = await service.ctx.store.certificates.list();
    expect(orphan).toMatchObject({ status: 'issued', subject: '/CN=half' });
    const records = db.prepare('SELECT record FROM transactions').all() as { record: string }[];
    expect(records.map((r) => JSON.parse(r.record))).toEqual([expect.objectContaining({ state: 'pending', certificates: [] })]);
    expect(await runHousekeeping(service.ctx, service.server, silent)).toEqual({
      expiredTransactions: 0,
      unconfirmedCertificates: 0,
      revokedAtDeadline: [],
    });
    service.clock.advance((300 + 300 + 30 + 1) * 1000);
    expect(await runHousekeeping(service.ctx, service.server, silent)).toEqual({
      expiredTransactions: 0,
      unconfirmedCertificates: 1,
      revokedAtDeadline: [],
    });
    expect(await service.ctx.store.certificates.get(orphan!.serial)).toMatchObject({ status: 'revoked', revocationReason: 5 });
    expect(crlContent((await service.ctx.store.crls.current())!.der).entries.get(orphan!.serial)).toBe(5);

    db.exec('DROP TRIGGER injected_fault');
    const certificate = await service.enroll('/CN=whole');
    expect(await service.ctx.store.certificates.get(serialOf(certificate))).toMatchObject({ status: 'confirmed' });
  });
});

describe.skipIf(!postgresUrl)(`storage failures on PostgreSQL${postgresUrl ? '' : ` (skipped: ${postgresMissing})`}`, () => {
  it('connections cut and refused, then read-only sessions: systemFailure each time; enrolls again once healed', async () => {
    const database: FaultyTestDatabase = await createFaultyTestDatabase();
    cleanups.push(() => database.drop());
    const service = await openService(database.url);
    await service.enroll('/CN=before');

    await database.refuseConnections();
    // The shared secret cannot be read either: the error is signed with the CMP server's key.
    await expectStoreFailure(service, '/CN=refused', 'signature');

    await database.heal();
    await database.readOnly();
    await expectStoreFailure(service, '/CN=read-only', 'mac');
    expect(storeFailureLines(service)).toEqual([
      expect.stringMatching(/failures=1 .*not permitted to log in/),
      expect.stringMatching(/failures=2 .*read-only transaction/),
    ]);

    await database.heal();
    const certificate = await service.enroll('/CN=after');
    expect(await service.ctx.store.certificates.get(serialOf(certificate))).toMatchObject({ status: 'confirmed' });
  });
});
