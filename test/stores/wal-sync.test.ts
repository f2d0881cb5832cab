import { fsyncSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamKey } from '@usher/core';
import { createSqliteStore, createWalSync, createWalWriter, type FileSync } from '@usher/store-sqlite';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { stream } from '../support/fixtures.js';
import { errValue, okValue } from '../support/results.js';
import { temporaryDirectory } from '../support/stores.js';
import { addedEvent } from './contract.js';

const directory = temporaryDirectory('wal-sync');
afterAll(() => directory.remove());

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const ioError = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });

/** The events in a store's file, as another connection reads them. */
function eventsInFile(path: string): number {
  const reader = new Database(path, { readonly: true });
  try {
    return (reader.prepare('SELECT count(*) AS events FROM events').get() as { events: number }).events;
  } finally {
    reader.close();
  }
}

/** A file sync that holds each sync on the pool until the test lets it finish (or fail); syncs here run at once. */
function heldFileSync() {
  const held: ((error: NodeJS.ErrnoException | null) => void)[] = [];
  const calls = { onPool: 0, here: 0 };
  const sync: FileSync = {
    onPool: (_fd, done) => {
      calls.onPool += 1;
      held.push(done);
    },
    here: (fd) => {
      calls.here += 1;
      fsyncSync(fd);
    },
  };
  return {
    sync,
    calls,
    /** Syncs on the pool asked for and not yet finished. */
    running: () => held.length,
    finish: (error: NodeJS.ErrnoException | null = null) => held.shift()?.(error),
    /** Turns the event loop until a sync is asked of the pool. */
    async untilRunning() {
      for (let turn = 0; held.length === 0; turn += 1) {
        if (turn > 1000) throw new Error('no sync was asked of the pool');
        await nextTurn();
      }
    },
  };
}

/** Whether a promise has settled, read without waiting for it. */
function watched(promise: Promise<unknown>) {
  const state = { settled: false, failure: undefined as unknown };
  promise.then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.failure = error;
    },
  );
  return state;
}

function logFile(name: string): string {
  const path = join(directory.path, `${name}-wal`);
  writeFileSync(path, '');
  return path;
}

describe('the write-ahead log synced off the JavaScript thread', () => {
  it('settles a commit only after a sync that began after it; commits made during a sync share the next one', async () => {
    const file = heldFileSync();
    const wal = createWalSync(logFile('shared'), file.sync);
    expect(wal.durable()).toBeNull();

    wal.written();
    const first = watched(wal.durable() as Promise<void>);
    await file.untilRunning();
    expect(wal.syncing).toBe(true);

    // Committed while the first sync runs: it does not cover them.
    wal.written();
    wal.written();
    const during = [wal.durable(), wal.durable()].map((waiting) => watched(waiting as Promise<void>));
    await nextTurn();
    expect(first.settled || during.some((state) => state.settled)).toBe(false);

    file.finish();
    await nextTurn();
    expect(first).toEqual({ settled: true, failure: undefined });
    expect(during.some((state) => state.settled)).toBe(false);

    await file.untilRunning();
    file.finish();
    await nextTurn();
    expect(during.every((state) => state.settled && state.failure === undefined)).toBe(true);
    expect(file.calls.onPool).toBe(2);
    expect(wal.durable()).toBeNull();
    await wal.close();
  });

  it('fails every commit waiting on a sync that failed, and every one after it: no later sync can vouch for them', async () => {
    const file = heldFileSync();
    const wal = createWalSync(logFile('failed'), file.sync);
    wal.written();
    const waiting = wal.durable() as Promise<void>;
    await file.untilRunning();
    const failed = ioError();
    file.finish(failed);
    await expect(waiting).rejects.toBe(failed);

    wal.written();
    await expect(wal.durable()).rejects.toBe(failed);
    expect(wal.syncHere()).toBe(failed);
    await wal.close();
  });

  it('syncs on the calling thread every commit so far when asked, and only when something is left to sync', async () => {
    const file = heldFileSync();
    const wal = createWalSync(logFile('here'), file.sync);
    const afterOpening = file.calls.here;
    expect(wal.syncHere()).toBeNull();
    expect(file.calls.here).toBe(afterOpening);

    wal.written();
    wal.written();
    expect(wal.syncHere()).toBeNull();
    expect(file.calls.here).toBe(afterOpening + 1);
    expect(wal.durable()).toBeNull();
    expect(file.calls.onPool).toBe(0);
    await wal.close();
  });

  it('closes only after the syncs it was asked for', async () => {
    const file = heldFileSync();
    const wal = createWalSync(logFile('close'), file.sync);
    wal.written();
    void wal.durable()?.catch(() => undefined);
    await file.untilRunning();
    const closing = watched(wal.close());
    await nextTurn();
    expect(closing.settled).toBe(false);
    file.finish();
    await nextTurn();
    expect(closing.settled).toBe(true);
  });
});

describe('the SQLite store at FULL', () => {
  const rooms = [1, 2, 3].map((n) => stream('contoso', n) as StreamKey);

  it('answers appends that commit together, and reads made after them, only once the log is synced', async () => {
    const file = heldFileSync();
    const store = createSqliteStore({ path: join(directory.path, 'together.db'), walFileSync: file.sync });
    // One append at a time: synced on this thread, as a trip to the pool would only add to the wait.
    await okValue(store.append(rooms[0] as StreamKey, [addedEvent('alone')], 'noStream'));
    expect(file.calls.onPool).toBe(0);

    const appends = [
      watched(okValue(store.append(rooms[1] as StreamKey, [addedEvent('a')], 'noStream'))),
      watched(okValue(store.append(rooms[2] as StreamKey, [addedEvent('b')], 'noStream'))),
    ];
    await file.untilRunning();
    // Committed, and visible to this connection, but not yet durable: neither is answered, nor is a read of them.
    const read = store.readAll({ afterPosition: 0, limit: 10 });
    const reading = watched(Promise.resolve(read));
    await nextTurn();
    expect([...appends, reading].some((state) => state.settled)).toBe(false);

    file.finish();
    const log = await okValue(read);
    expect(log.map((event) => event.roomId)).toEqual(rooms.map((room) => room.roomId));
    await nextTurn();
    expect(appends.every((state) => state.settled && state.failure === undefined)).toBe(true);

    // Nothing arrived while that sync ran: appends come one at a time again, and are synced in place.
    const syncedHere = file.calls.here;
    const again = store.append(rooms[0] as StreamKey, [addedEvent('again')], 1);
    await nextTurn();
    await nextTurn();
    expect(file.calls).toEqual({ onPool: 1, here: syncedHere + 1 });
    await okValue(again);
    await store.close();
  });

  it('answers every caller of a commit whose sync failed with a store failure, and refuses work after it, writing nothing', async () => {
    const file = heldFileSync();
    const path = join(directory.path, 'failed.db');
    const store = createSqliteStore({ path, walFileSync: file.sync });
    const appends = [
      store.append(rooms[0] as StreamKey, [addedEvent('a')], 'noStream'),
      store.append(rooms[1] as StreamKey, [addedEvent('b')], 'noStream'),
    ];
    await file.untilRunning();
    file.finish(ioError());
    for (const append of appends) {
      expect(await errValue(append)).toMatchObject({
        type: 'StoreFailure',
        message: expect.stringContaining('Syncing the write-ahead log failed: EIO'),
      });
    }
    expect(await errValue(store.append(rooms[2] as StreamKey, [addedEvent('c')], 'noStream'))).toMatchObject({ type: 'StoreFailure' });
    expect(await errValue(store.readAll({ afterPosition: 0, limit: 10 }))).toMatchObject({ type: 'StoreFailure' });
    // Refused means not written: a caller told of a failure must not find its event in the log later.
    expect(eventsInFile(path)).toBe(2);
    await store.close();
  });

  it('answers a write beside the log (a lease) only once it is synced', async () => {
    const file = heldFileSync();
    const store = createSqliteStore({ path: join(directory.path, 'lease.db'), walFileSync: file.sync });
    const taking = store.leases.acquire('expiry', 'node-1', '2026-11-26T00:00:00.000Z', '2026-11-26T00:00:10.000Z');
    const taken = watched(Promise.resolve(taking));
    await file.untilRunning();
    expect(taken.settled).toBe(false);
    file.finish();
    expect(await okValue(taking)).toBe(true);
    await store.close();
  });
});

describe('the WAL writer (NORMAL): the log synced in the background, with no caller waiting', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  /** A clock the test moves, and timers it runs: setImmediate stays real, so the held syncs still turn. */
  function manualTime() {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const clock = { now: 0 };
    return {
      now: () => clock.now,
      advance(ms: number) {
        clock.now += ms;
        vi.advanceTimersByTime(ms);
      },
    };
  }

  /** A WAL writer with a delay of 50 ms, on a log whose syncs the test holds, under the test's clock. */
  function writerOn(name: string) {
    const time = manualTime();
    const file = heldFileSync();
    return { time, file, writer: createWalWriter(createWalSync(logFile(name), file.sync), 50, time.now) };
  }

  /** Long after the running sync ends, still no other has begun. */
  async function expectNoMoreSyncs(file: ReturnType<typeof heldFileSync>, time: ReturnType<typeof manualTime>) {
    const begun = file.calls.onPool;
    file.finish();
    await nextTurn();
    time.advance(1000);
    await nextTurn();
    expect(file.calls.onPool).toBe(begun);
  }

  it('syncs after a commit at once when no sync began within the delay, and never when nothing was committed', async () => {
    const { time, file, writer } = writerOn('writer-first');
    time.advance(1000);
    await nextTurn();
    expect(file.calls.onPool).toBe(0);

    writer.written();
    await file.untilRunning();
    expect(file.calls.onPool).toBe(1);
    await expectNoMoreSyncs(file, time);
    await writer.close();
  });

  it('gathers the commits made during a sync and within the delay into one sync, begun once the delay has passed', async () => {
    const { time, file, writer } = writerOn('writer-gathered');
    writer.written();
    await file.untilRunning();
    time.advance(10);
    writer.written();
    writer.written();
    file.finish();
    await nextTurn();
    // Nothing more is committed: what was committed during the first sync is synced all the same, by a
    // sync that waits for the rest of the delay (the first began 10 ms ago).
    time.advance(39);
    await nextTurn();
    expect(file.calls.onPool).toBe(1);
    time.advance(1);
    await file.untilRunning();
    expect(file.calls.onPool).toBe(2);
    await expectNoMoreSyncs(file, time);
    await writer.close();
  });

  it('keeps a failed sync, and begins none after it', async () => {
    const { time, file, writer } = writerOn('writer-failed');
    writer.written();
    await file.untilRunning();
    writer.written();
    const failed = ioError();
    file.finish(failed);
    await nextTurn();
    expect(writer.failure).toBe(failed);
    writer.written();
    time.advance(1000);
    await nextTurn();
    expect(file.calls.onPool).toBe(1);
    await writer.close();
  });

  it('on close, drops the timer it set, and syncs what is left before letting go', async () => {
    const { file, writer } = writerOn('writer-close');
    writer.written();
    await file.untilRunning();
    file.finish();
    await nextTurn();
    writer.written();
    expect(vi.getTimerCount()).toBe(1);
    const closing = watched(writer.close());
    expect(vi.getTimerCount()).toBe(0);
    await file.untilRunning();
    expect(closing.settled).toBe(false);
    file.finish();
    await nextTurn();
    expect(closing.settled).toBe(true);
    expect(file.calls.onPool).toBe(2);
  });
});

describe('the SQLite store at NORMAL', () => {
  const rooms = [1, 2, 3].map((n) => stream('contoso', n) as StreamKey);

  it('answers appends without waiting for the disk, and syncs the log in the background', async () => {
    const file = heldFileSync();
    const store = createSqliteStore({ path: join(directory.path, 'normal.db'), synchronous: 'NORMAL', walFileSync: file.sync });
    const afterOpening = file.calls.here;
    await okValue(store.append(rooms[0] as StreamKey, [addedEvent('a')], 'noStream'));
    await file.untilRunning();
    // The background sync is held: appends and reads are answered all the same.
    await okValue(store.append(rooms[1] as StreamKey, [addedEvent('b')], 'noStream'));
    expect(await okValue(store.readAll({ afterPosition: 0, limit: 10 }))).toHaveLength(2);
    expect(file.calls).toEqual({ onPool: 1, here: afterOpening });
    file.finish();
    const closing = store.close();
    // What was committed during the sync is synced before the store lets go of the file.
    await file.untilRunning();
    file.finish();
    await closing;
    expect(file.calls.onPool).toBe(2);
  });

  it('refuses work after a background sync failed, as what reached the disk is then unknown', async () => {
    const file = heldFileSync();
    const path = join(directory.path, 'normal-failed.db');
    const store = createSqliteStore({ path, synchronous: 'NORMAL', walFileSync: file.sync });
    await okValue(store.append(rooms[0] as StreamKey, [addedEvent('a')], 'noStream'));
    await file.untilRunning();
    file.finish(ioError());
    await nextTurn();
    const failed = { type: 'StoreFailure', message: expect.stringContaining('Syncing the write-ahead log failed: EIO') };
    expect(await errValue(store.append(rooms[1] as StreamKey, [addedEvent('b')], 'noStream'))).toMatchObject(failed);
    expect(await errValue(store.readAll({ afterPosition: 0, limit: 10 }))).toMatchObject(failed);
    expect(await errValue(store.leases.acquire('expiry', 'node-1', '2026-11-26T00:00:00.000Z', '2026-11-26T00:00:10.000Z'))).toMatchObject(failed);
    expect(eventsInFile(path)).toBe(1);
    await store.close();
  });

  it('leaves syncing to SQLite when the WAL writer is turned off', async () => {
    const file = heldFileSync();
    const store = createSqliteStore({
      path: join(directory.path, 'normal-off.db'),
      synchronous: 'NORMAL',
      walWriterDelayMs: null,
      walFileSync: file.sync,
    });
    await Promise.all(rooms.map((room) => okValue(store.append(room, [addedEvent('x')], 'noStream'))));
    await nextTurn();
    expect(file.calls).toEqual({ onPool: 0, here: 0 });
    await store.close();
  });
});
