import type { RootCaUpdate, RootCaUpdateRepository } from '@cmpkit/issuer';
import { bytesOf, dateOf, optional } from './columns.js';
import type { SqlConnection } from './sql-connection.js';

interface Row {
  old_root_sha256: string;
  new_with_new: unknown;
  new_with_old: unknown;
  old_with_new: unknown;
  created_at: unknown;
}

function fromRow(row: Row): RootCaUpdate {
  return {
    oldRootSha256: row.old_root_sha256,
    newWithNew: bytesOf(row.new_with_new),
    ...optional('newWithOld', row.new_with_old, bytesOf),
    ...optional('oldWithNew', row.old_with_new, bytesOf),
    createdAt: dateOf(row.created_at),
  };
}

const INSERT = 'INSERT INTO root_ca_updates (old_root_sha256, new_with_new, new_with_old, old_with_new, created_at) VALUES (?, ?, ?, ?, ?)';
const FROM_ROOT = 'SELECT * FROM root_ca_updates WHERE old_root_sha256 = ? ORDER BY id DESC LIMIT 1';
const LATEST = 'SELECT * FROM root_ca_updates ORDER BY id DESC LIMIT 1';

/** The {@link RootCaUpdateRepository} in SQL. */
export function sqlRootCaUpdateRepository(db: SqlConnection): RootCaUpdateRepository {
  return {
    async add(u) {
      await db.run(INSERT, [
        u.oldRootSha256.toLowerCase(),
        u.newWithNew,
        u.newWithOld ?? null,
        u.oldWithNew ?? null,
        u.createdAt.getTime(),
      ]);
    },
    async fromRoot(hash) {
      const [row] = await db.all<Row>(FROM_ROOT, [hash.toLowerCase()]);
      return row ? fromRow(row) : undefined;
    },
    async latest() {
      const [row] = await db.all<Row>(LATEST);
      return row ? fromRow(row) : undefined;
    },
  };
}
