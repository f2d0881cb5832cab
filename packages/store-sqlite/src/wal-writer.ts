import type { WalSync } from './wal-sync.js';

/**
 * How long after a sync of the write-ahead log began the next may begin, at `NORMAL`. Measured on the
 * benchmark's machine (one append at a time, alternating processes): 20–50 ms took the most off the
 * checkpoints' waits; syncing without a pause made more syncs for less, and 250 ms left most of the
 * waits in place.
 */
export const DEFAULT_WAL_WRITER_DELAY_MS = 50;

/**
 * At `NORMAL` no commit waits for the disk, and SQLite syncs the write-ahead log only when it
 * checkpoints: inside the commit that crosses `wal_autocheckpoint`, whose caller then waits while the
 * kernel writes out all of the log not yet on disk (~40 MB at the default). The WAL writer syncs the
 * log in the background instead, as PostgreSQL's WAL writer does for commits that do not wait
 * (`synchronous_commit = off`, `wal_writer_delay`): after a commit it starts a sync on libuv's pool when
 * none is running and the last began at least `delayMs` ago, or sets a timer for then. Nobody waits
 * for it; a checkpoint then finds the log mostly written.
 *
 * A sync that fails is kept (`failure`): what reached the disk is then unknown, and the store refuses
 * work from then on, as it does at `FULL`.
 */
export interface WalWriter {
  /** Something was just committed. */
  written(): void;
  /** The first sync that failed, if one did. */
  readonly failure: Error | null;
  /** Stops the timer, waits for the running sync, syncs what is left and lets go of the file. */
  close(): Promise<void>;
}

export function createWalWriter(log: WalSync, delayMs: number, now: () => number = () => performance.now()): WalWriter {
  let lastBegan = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  function begin(): void {
    timer = null;
    if (closed) return;
    lastBegan = now();
    // When this sync ends, commits made while it ran leave the log unsynced, and the next sync follows it.
    log.durable()?.then(schedule, () => undefined);
  }

  function schedule(): void {
    if (closed || timer !== null || log.syncing || !log.unsynced || log.failure !== null) return;
    const wait = lastBegan + delayMs - now();
    if (wait <= 0) {
      begin();
      return;
    }
    timer = setTimeout(begin, wait);
    // A timer left for a sync no one waits for must not keep the process alive.
    timer.unref?.();
  }

  return {
    written() {
      log.written();
      schedule();
    },
    get failure() {
      return log.failure;
    },
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await log.close();
    },
  };
}
