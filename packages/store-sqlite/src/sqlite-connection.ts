import type { SqlConnection, SqlStatement, SqlValue } from '@cmpkit/store-sql';
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite.js';

/** better-sqlite3 takes the parameters as arguments. */
type Params = SqlValue[];
type Statement = BetterSqlite3.Statement<Params>;

/**
 * The {@link SqlConnection} of the shared repositories on a better-sqlite3 database. Statements
 * are prepared once per SQL text (through `db.prepare`, so the write batch sees them: create the
 * connection after `batchWrites`), read integers as bigints (cRLNumbers may exceed 2^53) and run
 * synchronously; the promises are settled when returned. `atomic` is a better-sqlite3
 * transaction function (a savepoint inside the open write batch, whose BEGIN IMMEDIATE holds the
 * database's write lock), so no other statement runs between its statements.
 */
export function sqliteConnection(db: SqliteDatabase): SqlConnection {
  const statements = new Map<string, Statement>();

  function statement(sql: string): Statement {
    let prepared = statements.get(sql);
    if (prepared === undefined) {
      prepared = db.prepare<Params>(sql);
      if (prepared.reader) prepared.safeIntegers(true);
      statements.set(sql, prepared);
    }
    return prepared;
  }

  /** Runs one statement: its rows when it returns any, else how many rows it changed. */
  function execute(sql: string, params: readonly SqlValue[]): unknown[] | number {
    const prepared = statement(sql);
    return prepared.reader ? prepared.all(...(params as Params)) : prepared.run(...(params as Params)).changes;
  }

  const atomic = db.transaction((list: readonly SqlStatement[]) =>
    list.map(({ sql, params = [] }) => {
      const result = execute(sql, params);
      return typeof result === 'number' ? [] : result;
    }),
  );

  return {
    async run(sql, params = []) {
      const result = execute(sql, params);
      return typeof result === 'number' ? result : result.length;
    },
    async all<Row>(sql: string, params: readonly SqlValue[] = []) {
      return statement(sql).all(...(params as Params)) as Row[];
    },
    async atomic(list) {
      return atomic.immediate(list);
    },
    jsonList: 'SELECT key AS i, value FROM json_each(?)',
  };
}
