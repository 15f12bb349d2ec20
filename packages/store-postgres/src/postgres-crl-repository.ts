import { revokedEntryOf, SELECT_REVOKED } from './postgres-certificate-repository.js';
import type { CrlRepository } from '@cmpkit/issuer';
import { bytea, bytesOfBytea, inTransaction, int, type PostgresPool } from './postgres.js';

interface Row {
  crl_number: string;
  this_update: string;
  next_update: string;
  der: Uint8Array;
}

/**
 * The {@link CrlRepository} on PostgreSQL. `reserve` bumps the counter row, which stays locked
 * until the transaction commits, then reads the revocations: a server that takes the next number
 * waits for the lock and so sees at least the revocations listed under this one.
 */
export function postgresCrlRepository(pool: PostgresPool): CrlRepository {
  return {
    async reserve() {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ value: string }>(
          `INSERT INTO counters (name, value) VALUES ('crl_number', 1)
           ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`,
        );
        const revoked = await client.query<{ serial: string; revoked_at: string; revocation_reason: number | null }>(SELECT_REVOKED);
        return { crlNumber: BigInt(rows[0]!.value), revoked: revoked.rows.map(revokedEntryOf) };
      });
    },
    async store(crl) {
      await pool.query('INSERT INTO crls (crl_number, this_update, next_update, der) VALUES ($1, $2, $3, $4)', [
        crl.crlNumber.toString(),
        crl.thisUpdate.getTime(),
        crl.nextUpdate.getTime(),
        bytea(crl.der),
      ]);
    },
    async current() {
      const { rows } = await pool.query<Row>('SELECT * FROM crls ORDER BY crl_number DESC LIMIT 1');
      const row = rows[0];
      if (!row) return undefined;
      return {
        crlNumber: BigInt(row.crl_number),
        thisUpdate: new Date(int(row.this_update)),
        nextUpdate: new Date(int(row.next_update)),
        der: bytesOfBytea(row.der),
      };
    },
  };
}
