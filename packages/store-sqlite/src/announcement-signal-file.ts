import { existsSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import type { AnnouncementWakeups } from '@cmpkit/core';

/** The file beside the database that writers touch once they committed new announcements. */
export function announcementSignalPath(databasePath: string): string {
  return `${databasePath}-announce`;
}

/**
 * Tells the processes watching `path` that announcements were stored: rewrites the file (an
 * inotify event on Linux, FSEvents on macOS). Never throws: should the file be unwritable, the
 * watchers' safety-net timer finds the announcements a little later.
 */
export function touchAnnouncementSignal(path: string): void {
  try {
    writeFileSync(path, String(Date.now()));
  } catch {
    // The safety net (Announcer.flush on a timer) delivers without the signal.
  }
}

/**
 * {@link AnnouncementWakeups} for processes sharing one SQLite file on one machine: every writer
 * of announcements touches the signal file after its commit ({@link touchAnnouncementSignal}),
 * every server watches it (`fs.watch`, no polling). A file replaced or deleted is watched again;
 * where the file cannot be watched (a network file system, no inotify watches left) the
 * application's timer remains.
 */
export function fileAnnouncementWakeups(path: string): AnnouncementWakeups {
  return {
    subscribe(wake) {
      let watcher: FSWatcher | undefined;
      let stopped = false;
      const stop = (): void => {
        watcher?.close();
        watcher = undefined;
      };
      const start = (): void => {
        if (stopped || watcher) return;
        try {
          if (!existsSync(path)) writeFileSync(path, '');
          watcher = watch(path, { persistent: false }, (event) => {
            wake();
            if (event === 'rename') {
              // Deleted or replaced: the watch is on the old file. Watch the path afresh.
              stop();
              setImmediate(start);
            }
          });
          watcher.on('error', stop);
        } catch {
          stop();
        }
      };
      start();
      return () => {
        stopped = true;
        stop();
      };
    },
  };
}
