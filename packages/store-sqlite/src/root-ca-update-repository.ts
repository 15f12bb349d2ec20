import type { RootCaUpdate, RootCaUpdateRepository } from '@cmpkit/issuer';
import { bytesOf, type SqliteDatabase } from './sqlite.js';

interface Row {
  old_root_sha256: string;
  new_with_new: Uint8Array;
  new_with_old: Uint8Array | null;
  old_with_new: Uint8Array | null;
  created_at: number;
}

function fromRow(row: Row): RootCaUpdate {
  return {
    oldRootSha256: row.old_root_sha256,
    newWithNew: bytesOf(row.new_with_new),
    ...(row.new_with_old === null ? {} : { newWithOld: bytesOf(row.new_with_old) }),
    ...(row.old_with_new === null ? {} : { oldWithNew: bytesOf(row.old_with_new) }),
    createdAt: new Date(row.created_at),
  };
}

export function sqliteRootCaUpdateRepository(db: SqliteDatabase): RootCaUpdateRepository {
  const insert = db.prepare(
    'INSERT INTO root_ca_updates (old_root_sha256, new_with_new, new_with_old, old_with_new, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const byRoot = db.prepare<[string], Row>('SELECT * FROM root_ca_updates WHERE old_root_sha256 = ? ORDER BY id DESC LIMIT 1');
  const latest = db.prepare<[], Row>('SELECT * FROM root_ca_updates ORDER BY id DESC LIMIT 1');
  return {
    async add(u) {
      insert.run(u.oldRootSha256.toLowerCase(), u.newWithNew, u.newWithOld ?? null, u.oldWithNew ?? null, u.createdAt.getTime());
    },
    async fromRoot(hash) {
      const row = byRoot.get(hash.toLowerCase());
      return row ? fromRow(row) : undefined;
    },
    async latest() {
      const row = latest.get();
      return row ? fromRow(row) : undefined;
    },
  };
}
