import type { CrlRepository } from '@cmpkit/issuer';
import { bigintOf, bytesOf, dateOf } from './columns.js';
import { REVOKED, revokedEntryOf, type RevokedRow } from './revoked-certificates.js';
import type { SqlConnection } from './sql-connection.js';

const BUMP = `INSERT INTO counters (name, value) VALUES ('crl_number', 1)
  ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`;
const INSERT = 'INSERT INTO crls (crl_number, this_update, next_update, der) VALUES (?, ?, ?, ?)';
const CURRENT = 'SELECT * FROM crls ORDER BY crl_number DESC LIMIT 1';

/**
 * The {@link CrlRepository} in SQL. `reserve` bumps the counter row and reads the revocations in
 * one transaction: the row stays locked (PostgreSQL) or the database write-locked (SQLite) until
 * it commits, so a server taking the next number sees at least the revocations listed under this one.
 */
export function sqlCrlRepository(db: SqlConnection): CrlRepository {
  return {
    async reserve() {
      const [bumped, revoked] = await db.atomic([{ sql: BUMP }, { sql: REVOKED }]);
      const [counter] = bumped as { value: unknown }[];
      return { crlNumber: bigintOf(counter!.value), revoked: (revoked as RevokedRow[]).map(revokedEntryOf) };
    },
    async store(crl) {
      await db.run(INSERT, [crl.crlNumber, crl.thisUpdate.getTime(), crl.nextUpdate.getTime(), crl.der]);
    },
    async current() {
      const [row] = await db.all<{ crl_number: unknown; this_update: unknown; next_update: unknown; der: unknown }>(CURRENT);
      if (!row) return undefined;
      return {
        crlNumber: bigintOf(row.crl_number),
        thisUpdate: dateOf(row.this_update),
        nextUpdate: dateOf(row.next_update),
        der: bytesOf(row.der),
      };
    },
  };
}
