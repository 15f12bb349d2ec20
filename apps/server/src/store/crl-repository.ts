import type { RevokedEntry } from './certificate-repository.js';
import { bytesOf, type SqliteDatabase } from './sqlite.js';

/** A CRL the server signed. */
export interface StoredCrl {
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  der: Uint8Array;
}

/** What a CRL about to be signed lists, under which number. */
export interface CrlReservation {
  crlNumber: bigint;
  /** Every certificate revoked when the number was taken, oldest revocation first. */
  revoked: RevokedEntry[];
}

/**
 * Signed CRLs and the cRLNumber counter (RFC 5280 section 5.2.3: monotonically increasing). A
 * number is taken from the counter before the CRL is signed, so two CRLs never share one even
 * when several servers and the `revoke` command sign at the same time; the current CRL is the
 * one with the highest number.
 */
export interface CrlRepository {
  /**
   * Takes the next cRLNumber (1 for the first CRL) and, in the same database transaction, the
   * revoked certificates: a CRL with a higher number never lists fewer revocations.
   */
  reserve(): Promise<CrlReservation>;
  /** Stores a signed CRL. */
  store(crl: StoredCrl): Promise<void>;
  /** The CRL with the highest cRLNumber, if any. */
  current(): Promise<StoredCrl | undefined>;
}

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
