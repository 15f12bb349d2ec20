/** One step of the schema: applied once, in order of `version`, inside a transaction. */
export interface Migration {
  /** 1, 2, 3, ... without gaps. */
  version: number;
  /** What the step does, recorded with it. */
  name: string;
  /** The SQL statements of the step. */
  sql: string;
}

/** What a store's schema migration did when it opened the database (`ServerStore.migration`). */
export interface MigrationResult {
  /** The schema version before. */
  from: number;
  /** The schema version now. */
  to: number;
  /** The versions applied by this call. */
  applied: number[];
}
