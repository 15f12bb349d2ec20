/** A value bound to a `?` placeholder: text, a number or BIGINT, bytes (BLOB/BYTEA), or NULL. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/**
 * What the repositories need of a database: statements in the SQL both SQLite and PostgreSQL
 * understand, with `?` placeholders bound in order. Each store implements it over its driver
 * (`better-sqlite3`, `pg`); a row comes back with the driver's column values (see `columns.ts`
 * for reading them the same way from both).
 */
export interface SqlConnection {
  /** Runs a statement; resolves to how many rows it inserted, changed or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a query (or a statement with RETURNING); resolves to its rows. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /**
   * Runs the statements in order in one database transaction, so they commit together or not at
   * all and nothing else runs between them; resolves to each one's rows (those of a SELECT or a
   * RETURNING clause, none for others). The statements are fixed beforehand, none depending on
   * an earlier one's result: so SQLite can run them synchronously, within one turn of the event
   * loop, and PostgreSQL between BEGIN and COMMIT on one connection.
   */
  atomic(statements: readonly SqlStatement[]): Promise<unknown[][]>;
  /**
   * Where the dialects differ in what the repositories need: a subquery whose rows `(i, value)`
   * are the elements of a JSON array of strings bound to its one `?`, `i` their position (SQLite:
   * `json_each`; PostgreSQL: `json_array_elements_text ... WITH ORDINALITY`). It passes a list of
   * any length in one parameter.
   */
  readonly jsonList: string;
}

/** One statement of {@link SqlConnection.atomic}. */
export interface SqlStatement {
  sql: string;
  params?: readonly SqlValue[];
}
