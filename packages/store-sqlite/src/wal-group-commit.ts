import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Group commit for a SQLite database in WAL mode with `synchronous = NORMAL`: commits only write
 * to the write-ahead log, and `flush()` makes every commit made so far durable with one
 * fdatasync of the WAL file, off the event loop. Requests that flush while a sync runs share the
 * next one, so N concurrent requests cost one or two syncs instead of one per commit each.
 *
 * Why this is as durable as `synchronous = FULL` for what was flushed: frames reach the WAL
 * file through write(); syncing the file persists them. A checkpoint in between syncs the WAL
 * and the database itself before it resets the log, so nothing written before the flush is only
 * in the page cache afterwards. The directory is synced once when the WAL is first opened, so
 * a newly created WAL file is found after a power cut.
 */
export interface WalGroupCommit {
  /** Resolves once every commit made before the call is on stable storage. */
  flush(): Promise<void>;
  /** Closes the WAL file handle (after a last flush). */
  close(): Promise<void>;
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** The group commit of the database file at `databasePath` (its WAL is `<path>-wal`). */
export function walGroupCommit(databasePath: string): WalGroupCommit {
  const walPath = `${databasePath}-wal`;
  let handle: FileHandle | undefined;
  let inFlight: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  async function syncOnce(): Promise<void> {
    if (!handle) {
      try {
        handle = await open(walPath, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing written yet
        throw error;
      }
      await syncDirectory(walPath);
    }
    await handle.datasync();
  }

  function flush(): Promise<void> {
    if (!inFlight) {
      inFlight = syncOnce().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    // A sync is running and may have started before this caller's commit: wait for the next one.
    const again = (): Promise<void> => {
      next = undefined;
      return flush();
    };
    next ??= inFlight.then(again, again);
    return next;
  }

  return {
    flush,
    async close() {
      await flush();
      await handle?.close();
      handle = undefined;
    },
  };
}
