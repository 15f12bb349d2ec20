import type { CrlRepository, CrlReservation } from '@cmpkit/issuer';
import { bytesOf, type SqliteDatabase } from './sqlite.js';

interface Row {
  crl_number: number | bigint;
  this_update: number;
  next_update: number;
  der: Uint8Array;
}

const COUNTER = 'crl_number';

export function sqliteCrlRepository(db: SqliteDatabase): CrlRepository {
  const bump = db
    .prepare<[string], { value: bigint }>(
      'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value',
    )
    .safeIntegers(true);
  const insert = db.prepare('INSERT INTO crls (crl_number, this_update, next_update, der) VALUES (?, ?, ?, ?)');
  const current = db.prepare<[], Row>('SELECT * FROM crls ORDER BY crl_number DESC LIMIT 1').safeIntegers(true);
  const revoked = db.prepare<[], { serial: string; revoked_at: number; revocation_reason: number | null }>(
    "SELECT serial, revoked_at, revocation_reason FROM certificates WHERE status = 'revoked' ORDER BY revoked_at, serial",
  );
  const reserve = db.transaction((): CrlReservation => ({
    crlNumber: BigInt(bump.get(COUNTER)!.value),
    revoked: revoked.all().map((r) => ({
      serial: r.serial,
      revokedAt: new Date(r.revoked_at),
      ...(r.revocation_reason === null ? {} : { revocationReason: r.revocation_reason }),
    })),
  }));

  return {
    async reserve() {
      return reserve.immediate();
    },
    async store(crl) {
      insert.run(crl.crlNumber, crl.thisUpdate.getTime(), crl.nextUpdate.getTime(), crl.der);
    },
    async current() {
      const row = current.get();
      if (!row) return undefined;
      return {
        crlNumber: BigInt(row.crl_number),
        thisUpdate: new Date(Number(row.this_update)),
        nextUpdate: new Date(Number(row.next_update)),
        der: bytesOf(row.der),
      };
    },
  };
}
