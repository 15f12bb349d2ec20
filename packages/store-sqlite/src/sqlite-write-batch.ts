import type { SqliteDatabase } from './sqlite.js';

/** The shared write transaction of {@link batchWrites}. */
export interface SqliteWriteBatch {
  /** A mark to pass to {@link commit}: the first batch a write made from now on can go into. */
  mark(): number;
  /**
   * Commits the open batch, if any. With `since` (a {@link mark}), throws when a batch that writes
   * made after the mark went into was lost (its COMMIT failed, or SQLite rolled it back after an
   * I/O error): those writes are not in the database, so their requests must not be answered as
   * if they were.
   */
  commit(since?: number): void;
  /**
   * Resolves when the open batch has committed at the end of this event-loop turn (at once when
   * none is open), so the requests that finish in one turn share one commit; rejects like
   * {@link commit} for a lost batch.
   */
  committed(since?: number): Promise<void>;
}

/**
 * The connection of this process whose batch is open. Before another connection of the same
 * process runs a statement, that batch commits: one thread cannot wait for its own lock, and a
 * second store instance in the process (tests, an embedding application) sees what the first wrote.
 */
let openBatch: { finish(): void } | undefined;

class LostBatchError extends Error {
  constructor(cause: unknown) {
    super('store: a batch of writes could not be committed', { cause });
    this.name = 'LostBatchError';
  }
}

/**
 * Runs every write of this connection in one shared transaction per turn of the event loop,
 * instead of one transaction per statement: the first write opens it (BEGIN IMMEDIATE), and it
 * commits at the next `setImmediate` or when `commit()` is called, whichever is first. A CMP
 * transaction writes six to eight times (nonces, transaction records, the certificate); committing
 * each costs a WAL append and the lock dance, ~50 µs, several times the statement itself.
 *
 * Safe because of how the server answers: a response leaves only after `flush()`, which commits
 * first (ARCHITECTURE.md decision 6), so no one is told about a write that is not committed.
 * Transaction functions (`db.transaction(...)`) become savepoints inside the batch and keep their
 * atomicity; a failing statement rolls back only itself. Other processes on the same file (a CLI
 * command, another cluster worker) wait for the lock at most one event-loop turn.
 *
 * Patches `db.prepare` and `db.transaction`: call it before the repositories prepare their
 * statements. Statements prepared before (BEGIN, COMMIT here) run as they are.
 */
export function batchWrites(db: SqliteDatabase): SqliteWriteBatch {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commitStatement = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  let generation = 0;
  let open = false;
  let lost = -1;
  let lostCause: unknown;
  let waiting: Array<() => void> = [];

  const self = { finish };

  function finish(): void {
    if (!open) return;
    open = false;
    if (openBatch === self) openBatch = undefined;
    if (!db.inTransaction) {
      lost = generation; // SQLite rolled it back after an error
    } else {
      try {
        commitStatement.run();
      } catch (error) {
        lost = generation;
        lostCause = error;
        if (db.inTransaction) rollback.run();
      }
    }
    const done = waiting;
    waiting = [];
    for (const resolve of done) resolve();
  }

  function yieldOthers(): void {
    if (openBatch !== undefined && openBatch !== self) openBatch.finish();
  }

  function join(): void {
    yieldOthers();
    if (open && db.inTransaction) return;
    if (open) finish(); // rolled back under us: record it, then start afresh
    if (db.inTransaction) return; // a transaction this batch did not open (none should exist)
    begin.run();
    open = true;
    openBatch = self;
    generation++;
    setImmediate(finish);
  }

  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    const before = statement.readonly ? yieldOthers : join;
    for (const method of ['run', 'get', 'all', 'iterate'] as const) {
      const original = statement[method] as (...args: unknown[]) => unknown;
      Object.defineProperty(statement, method, {
        value: function (this: unknown, ...args: unknown[]) {
          before();
          return original.apply(this, args);
        },
      });
    }
    return statement;
  }) as typeof db.prepare;

  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: never[]) => unknown) => {
    const wrapped = transaction(fn);
    const joining = <F extends (...args: never[]) => unknown>(variant: F): F =>
      function (this: unknown, ...args: Parameters<F>) {
        join();
        return variant.apply(this, args);
      } as F;
    return Object.assign(joining(wrapped), {
      default: joining(wrapped.default),
      deferred: joining(wrapped.deferred),
      immediate: joining(wrapped.immediate),
      exclusive: joining(wrapped.exclusive),
    });
  }) as typeof db.transaction;

  return {
    mark: () => (open ? generation : generation + 1),
    commit(since?: number) {
      finish();
      if (since !== undefined && lost >= since) throw new LostBatchError(lostCause);
    },
    async committed(since?: number) {
      if (open) await new Promise<void>((resolve) => waiting.push(resolve));
      if (since !== undefined && lost >= since) throw new LostBatchError(lostCause);
    },
  };
}
