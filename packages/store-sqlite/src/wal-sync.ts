import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** How a file is synced: on libuv's thread pool, or on the calling thread. node:fs's `fsync` and `fsyncSync` by default. */
export interface FileSync {
  readonly onPool: (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;
  readonly here: (fd: number) => void;
}

const NODE_FILE_SYNC: FileSync = { onPool: fsync, here: fsyncSync };

/**
 * Makes commits durable without holding the JavaScript thread. The connection runs at
 * `synchronous = NORMAL`, so a commit only writes its frames to the write-ahead log; this syncs that
 * file and tells the store when everything committed so far is on disk. A sync on the pool serves
 * every commit made before it started, so under load many commits share one while the thread that
 * serves requests goes on deciding and committing the next ones; one runs at a time.
 *
 * Syncing the log after the commit is what `synchronous = FULL` does inside it: after a power loss
 * SQLite recovers every commit whose frames were synced, and at NORMAL it still syncs the log before
 * each checkpoint, the database after it, and the log's header when the log starts over.
 */
export interface WalSync {
  /** Something was just committed: it is durable once a `durable()` asked for after this settles. */
  written(): void;
  /** Null when everything committed so far is durable already; else settles when it is, and rejects if a sync failed. */
  durable(): Promise<void> | null;
  /**
   * Syncs everything committed so far on the calling thread; answers the failure, if any. For a commit
   * no other caller is waiting behind: a sync on the pool would only add two trips between threads.
   */
  syncHere(): Error | null;
  /** Whether a sync is running on the pool. */
  readonly syncing: boolean;
  /** Whether something committed is not yet covered by a sync that ended. */
  readonly unsynced: boolean;
  /** The first sync that failed, if one did: from then on nothing committed counts as durable. */
  readonly failure: Error | null;
  /** Waits for the syncs asked for, then lets go of the file. */
  close(): Promise<void>;
}

/**
 * The log's name in its directory must be on disk too: SQLite syncs the directory on the log's first
 * sync, which at NORMAL would be the first checkpoint. Where a directory cannot be opened (Windows),
 * there is nothing to sync.
 */
function syncDirectoryOf(path: string, sync: FileSync): void {
  let directory: number;
  try {
    directory = openSync(dirname(path), 'r');
  } catch {
    return;
  }
  try {
    sync.here(directory);
  } finally {
    closeSync(directory);
  }
}

export function createWalSync(walPath: string, sync: FileSync = NODE_FILE_SYNC): WalSync {
  // Opened for writing, though nothing is written through it: Windows syncs only a handle that may write.
  const fd = openSync(walPath, 'r+');
  syncDirectoryOf(walPath, sync);
  let written = 0;
  let synced = 0;
  let onPool: Promise<void> | null = null;
  // After a failed sync what reached the disk is unknown (the kernel may have dropped the pages it could
  // not write and will not report them again), so no later sync may be taken to cover earlier commits.
  let failure: Error | null = null;
  let closed = false;

  function syncOnPool(): Promise<void> {
    const covers = written;
    return new Promise<void>((resolve, reject) => {
      sync.onPool(fd, (error) => {
        onPool = null;
        if (error !== null) {
          failure ??= error;
          reject(failure);
          return;
        }
        synced = Math.max(synced, covers);
        resolve();
      });
    });
  }

  async function until(target: number): Promise<void> {
    while (synced < target) {
      if (failure !== null) throw failure;
      // A sync that started before the target's commit does not cover it: wait for it, then start another.
      onPool ??= syncOnPool();
      await onPool;
    }
  }

  return {
    written() {
      written += 1;
    },
    durable() {
      if (failure !== null) return Promise.reject(failure);
      return synced >= written ? null : until(written);
    },
    syncHere() {
      if (failure !== null) return failure;
      if (synced >= written) return null;
      const covers = written;
      try {
        sync.here(fd);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        return failure;
      }
      synced = Math.max(synced, covers);
      return null;
    },
    get syncing() {
      return onPool !== null;
    },
    get unsynced() {
      return synced < written;
    },
    get failure() {
      return failure;
    },
    async close() {
      if (closed) return;
      closed = true;
      await until(written).catch(() => undefined);
      closeSync(fd);
    },
  };
}
