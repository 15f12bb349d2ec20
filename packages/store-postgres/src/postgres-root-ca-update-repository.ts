import type { RootCaUpdate, RootCaUpdateRepository } from '@cmpkit/issuer';
import { bytea, bytesOfBytea, int, type PostgresPool } from './postgres.js';

interface Row {
  old_root_sha256: string;
  new_with_new: Uint8Array;
  new_with_old: Uint8Array | null;
  old_with_new: Uint8Array | null;
  created_at: string;
}

function fromRow(row: Row): RootCaUpdate {
  return {
    oldRootSha256: row.old_root_sha256,
    newWithNew: bytesOfBytea(row.new_with_new),
    ...(row.new_with_old === null ? {} : { newWithOld: bytesOfBytea(row.new_with_old) }),
    ...(row.old_with_new === null ? {} : { oldWithNew: bytesOfBytea(row.old_with_new) }),
    createdAt: new Date(int(row.created_at)),
  };
}

/** The {@link RootCaUpdateRepository} on PostgreSQL. */
export function postgresRootCaUpdateRepository(pool: PostgresPool): RootCaUpdateRepository {
  const optional = (bytes: Uint8Array | undefined) => (bytes ? bytea(bytes) : null);
  return {
    async add(u) {
      await pool.query(
        'INSERT INTO root_ca_updates (old_root_sha256, new_with_new, new_with_old, old_with_new, created_at) VALUES ($1, $2, $3, $4, $5)',
        [u.oldRootSha256.toLowerCase(), bytea(u.newWithNew), optional(u.newWithOld), optional(u.oldWithNew), u.createdAt.getTime()],
      );
    },
    async fromRoot(hash) {
      const { rows } = await pool.query<Row>('SELECT * FROM root_ca_updates WHERE old_root_sha256 = $1 ORDER BY id DESC LIMIT 1', [
        hash.toLowerCase(),
      ]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
    async latest() {
      const { rows } = await pool.query<Row>('SELECT * FROM root_ca_updates ORDER BY id DESC LIMIT 1');
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
  };
}
