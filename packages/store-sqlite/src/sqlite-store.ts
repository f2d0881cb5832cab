import {
  type AppendResult,
  type ConcurrencyError,
  chain,
  deadLetterKeys,
  type EventStore,
  type EventSubscription,
  eventSubscriptionKeys,
  type LogStreamKey,
  type NewEvent,
  type RebuildProgress,
  type RebuildReport,
  type RoomId,
  roomListKeys,
  rosterKeys,
  type StoredEvent,
  type StoreError,
  storedEvent,
  storeFailure,
  type TenantId,
} from '@usher/core';
import {
  checkExpectedVersion,
  deadLetterFromRow,
  eventSubscriptionFromRow,
  expiryFromRow,
  isExact,
  keysetPage,
  loadedRoom,
  matchStoredBatch,
  participantFromRow,
  projectBatch,
  requestFromRow,
  roomListBound,
  roomListKeyOf,
  type StoreTuning,
  signingKeyFromRow,
  streamRuns,
  summaryFromRow,
  versionBounds,
} from '@usher/core/store-kit';
import Database from 'better-sqlite3';
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { createHeadCache, type KeyedHead, NO_HEAD } from './head-cache.js';
import { migrate, SCHEMA_VERSION, schemaVersionOf } from './migrations.js';
import { writeProjection } from './projection.js';
import { toStoredEvent } from './rows.js';
import type { DeadLetterRow, EventSubscriptionRow } from './sql/event-subscriptions.js';
import { CLEAR_PROJECTIONS } from './sql/rebuild.js';
import { prepareStatements } from './statements.js';
import { createWalSync, type FileSync, type WalSync } from './wal-sync.js';
import { createWalWriter, DEFAULT_WAL_WRITER_DELAY_MS, type WalWriter } from './wal-writer.js';

/**
 * The durability levels Usher's SQLite store runs at (WAL mode): at `FULL` no commit is answered before
 * it is synced, and every answered one survives power loss; `NORMAL` leaves syncing to the OS and may
 * lose the last commits on power loss, never on a crash of the process.
 */
export const SQLITE_SYNCHRONOUS_LEVELS = ['FULL', 'NORMAL'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_LEVELS)[number];
export const DEFAULT_SYNCHRONOUS: SqliteSynchronous = 'FULL';

export interface SqliteStoreOptions extends StoreTuning {
  /** A file path, or `:memory:` for a private in-process database. */
  readonly path: string;
  /** How long a writer waits for another process's write lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number | undefined;
  /** Default `FULL`. */
  readonly synchronous?: SqliteSynchronous | undefined;
  /** How many pages the WAL may hold before a commit copies them back into the database (default 10,000, about 40 MB). */
  readonly walAutocheckpointPages?: number | undefined;
  /** Apply pending migrations on open (default true); when false, opening an outdated file fails. */
  readonly migrate?: boolean | undefined;
  /**
   * Group commit (default true): appends made in the same turn of the event loop commit in one
   * transaction, each in a savepoint of its own (one refused append never undoes another's), and every
   * caller is answered once that transaction is committed — one sync to disk for all of them.
   */
  readonly groupCommit?: boolean | undefined;
  /** Told how many appends each commit held: for metrics and tests. */
  readonly onCommit?: ((appends: number) => void) | undefined;
  /**
   * At NORMAL on a file, how long after one background sync of the write-ahead log began the next may
   * begin (default 50 ms; see `createWalWriter`): checkpoints then find the log mostly on disk. Null
   * leaves the syncing to SQLite's checkpoints alone.
   */
  readonly walWriterDelayMs?: number | null | undefined;
  /** How the write-ahead log is synced (node:fs's `fsync` on the pool, `fsyncSync` here): for tests that hold or fail it. */
  readonly walFileSync?: FileSync | undefined;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/**
 * SQLite's default is 1,000 pages. An append writes ~8 pages to the WAL, so that default made every
 * ~130th commit pay for a checkpoint (and its syncs at FULL); with a longer WAL a checkpoint comes ten
 * times less often and copies each hot page once for many commits: ~6% more appends per second at
 * FULL. Recovery after a crash reads at most this much WAL.
 */
export const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 10_000;
const DEFAULT_REBUILD_BATCH = 10_000;

class Conflict {
  constructor(readonly error: ConcurrencyError | StoreError) {}
}

function failure(message: string) {
  return (cause: unknown): StoreError => storeFailure(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
}

const syncFailure = failure('Syncing the write-ahead log failed');

const subscriptionOf = (row: EventSubscriptionRow) => eventSubscriptionFromRow(row, JSON.parse);
const letterOf = (row: DeadLetterRow) => deadLetterFromRow(row, JSON.parse);

function isUniqueEventIdViolation(cause: unknown): boolean {
  return cause instanceof Error && 'code' in cause && cause.code === 'SQLITE_CONSTRAINT_UNIQUE' && cause.message.includes('events.event_id');
}

/** Opens (and by default migrates) a SQLite file; throws when the file cannot be opened, as a misconfiguration. */
export function openSqliteDatabase(options: SqliteStoreOptions): Database.Database {
  const db = new Database(options.path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? DEFAULT_SYNCHRONOUS}`);
  db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.trunc(options.walAutocheckpointPages ?? DEFAULT_WAL_AUTOCHECKPOINT_PAGES))}`);
  db.pragma('foreign_keys = ON');
  if (options.migrate ?? true) migrate(db);
  const version = schemaVersionOf(db);
  if (version !== SCHEMA_VERSION) {
    db.close();
    throw new Error(`${options.path} has schema version ${version}, this build needs ${SCHEMA_VERSION}: run the migration first.`);
  }
  return db;
}

/**
 * At FULL on a file the connection runs at NORMAL, and the store syncs the write-ahead log itself
 * (`WalSync`): under load on libuv's pool, one sync for every commit made while the last one ran, so
 * that the JavaScript thread does not wait for the disk. It answers nothing, a write's success or a
 * read's rows, until every commit it made before is on disk.
 */
function walSyncOf(db: Database.Database, synchronous: SqliteSynchronous, fileSync: FileSync | undefined): WalSync | null {
  if (synchronous !== 'FULL' || !onFile(db)) return null;
  db.pragma('synchronous = NORMAL');
  return createWalSync(`${db.name}-wal`, fileSync);
}

/** At NORMAL on a file, the WAL writer; none at FULL, where every commit is synced already, nor in memory. */
function walWriterOf(db: Database.Database, options: SqliteStoreOptions): WalWriter | null {
  const delayMs = options.walWriterDelayMs === undefined ? DEFAULT_WAL_WRITER_DELAY_MS : options.walWriterDelayMs;
  if ((options.synchronous ?? DEFAULT_SYNCHRONOUS) !== 'NORMAL' || delayMs === null || !onFile(db)) return null;
  return createWalWriter(createWalSync(`${db.name}-wal`, options.walFileSync), Math.max(0, delayMs));
}

const onFile = (db: Database.Database) => !db.memory && db.name !== '';

export function createSqliteStore(options: SqliteStoreOptions): EventStore {
  const db = openSqliteDatabase(options);
  const walSync = walSyncOf(db, options.synchronous ?? DEFAULT_SYNCHRONOUS, options.walFileSync);
  const walWriter = walWriterOf(db, options);
  const rebuildBatch = options.rebuildBatchSize ?? DEFAULT_REBUILD_BATCH;
  const sql = prepareStatements(db);
  const heads = createHeadCache(sql, options.headCacheSize);

  /**
   * Reads of many rows first let the event loop turn, as a network database's reads would: a long
   * replay made of many of them then lets other requests in between its chunks.
   */
  function afterATurn<T>(read: () => ResultAsync<T, StoreError>): ResultAsync<T, StoreError> {
    return ResultAsync.fromSafePromise(new Promise<void>((resolve) => setImmediate(resolve))).andThen(read);
  }

  /**
   * An answer waits until every commit this store made before it is durable: a write's success, and a
   * read's rows, which may hold another caller's commit whose sync is still running.
   */
  function onceDurable<T>(value: T): ResultAsync<T, StoreError> {
    const waiting = walSync?.durable() ?? null;
    return waiting === null
      ? okAsync(value)
      : ResultAsync.fromPromise(
          waiting.then(() => value),
          syncFailure,
        );
  }

  /** Something was committed: at FULL it is durable once a later sync is done, at NORMAL the WAL writer syncs it soon. */
  function committed(): void {
    walSync?.written();
    walWriter?.written();
  }

  /**
   * Why the store does no more work, if it does none: it is closed, or a sync of the log failed (at FULL
   * or in the background at NORMAL), so that nothing is written that its caller would be told failed.
   */
  function refusal(): StoreError | null {
    if (!db.open) return storeFailure('The SQLite store is closed.');
    const syncFailed = walSync?.failure ?? walWriter?.failure ?? null;
    return syncFailed === null ? null : syncFailure(syncFailed);
  }

  function run<T>(what: string, body: () => T): ResultAsync<T, StoreError> {
    const stopped = refusal();
    if (stopped !== null) return errAsync(stopped);
    let value: T;
    try {
      value = body();
    } catch (cause) {
      return errAsync(failure(what)(cause));
    }
    return onceDurable(value);
  }

  /** `run` for a body that commits. */
  function write<T>(what: string, body: () => T): ResultAsync<T, StoreError> {
    return run(what, () => {
      const value = body();
      committed();
      return value;
    });
  }

  function storedBatch(stream: LogStreamKey, events: readonly NewEvent[]) {
    return matchStoredBatch(
      stream,
      events,
      events.map((event) => {
        const row = sql.eventById.get(event.eventId);
        return row === undefined ? undefined : toStoredEvent(row);
      }),
    );
  }

  const appendTransaction = db.transaction(
    (...[stream, events, expected, decided]: Parameters<EventStore['append']>): { result: AppendResult; head: KeyedHead | null } => {
      const head = heads.read(stream);
      const checked = checkExpectedVersion(stream, expected, head.version);
      if (checked.isErr()) throw new Conflict(checked.error);
      if (events.length === 0) return { result: { stream, version: head.version, events: [], replayed: false }, head: null };
      const key = head.key ?? (sql.openStream.get(stream.tenantId, stream.roomId) as { stream_key: number }).stream_key;
      const stored = chain(stream, head.lastHash, head.version + 1, events).map((event): StoredEvent => {
        const inserted = sql.insertEvent.run(
          key,
          stream.tenantId,
          stream.roomId,
          event.version,
          event.eventId,
          event.type,
          event.schemaVersion,
          JSON.stringify(event.data),
          JSON.stringify(event.meta),
          event.prevHash,
          event.hash,
        );
        return storedEvent(event, Number(inserted.lastInsertRowid));
      });
      const batch = projectBatch(head, stored, isExact(expected) ? decided : undefined);
      const next = writeProjection(sql, stream, key, head, batch, (index) => (stored[index] as StoredEvent).position);
      heads.written(stream);
      return { result: { stream, version: next.version, events: stored, replayed: false }, head: next };
    },
  );

  function replayOrConflict(stream: LogStreamKey, events: readonly NewEvent[], otherwise: ConcurrencyError | StoreError) {
    const replay = storedBatch(stream, events);
    if (replay.isErr()) return err(replay.error);
    if (replay.value === null) return err(otherwise);
    const version = heads.read(stream).version;
    return ok<AppendResult, never>({ stream, version, events: [...replay.value], replayed: true });
  }

  function append(...[stream, events, expected, decided]: Parameters<EventStore['append']>): Result<AppendResult, ConcurrencyError | StoreError> {
    try {
      const { result, head } = appendTransaction.immediate(stream, events, expected, decided);
      // Only a committed head is remembered: a rolled-back one would hide the stored state.
      if (head !== null) heads.remember(stream, head);
      return ok(result);
    } catch (cause) {
      // The checks for a retried batch run only off the hot path: after a version conflict or a duplicate event id.
      return refused([stream, events, expected, decided], cause);
    }
  }

  function rebuild(onProgress?: (progress: RebuildProgress) => void): RebuildReport {
    const total = sql.countEvents.get()?.total ?? 0;
    let processed = 0;
    let rooms = 0;
    const work = db.transaction(() => {
      heads.clear();
      db.exec(CLEAR_PROJECTIONS.text);
      for (let after = 0; ; ) {
        const rows = sql.keyedEventsAfter.all(after, rebuildBatch);
        if (rows.length === 0) break;
        const events = rows.map(toStoredEvent);
        // Runs are consecutive slices of the page: each stream takes back the key its first row holds.
        let runStart = 0;
        for (const run of streamRuns(events)) {
          const head = heads.read(run.stream);
          if (head === NO_HEAD) rooms += 1;
          const key = (rows[runStart] as (typeof rows)[number]).stream_key;
          runStart += run.events.length;
          const next = writeProjection(
            sql,
            run.stream,
            key,
            head,
            projectBatch(head, run.events),
            (index) => (run.events[index] as StoredEvent).position,
          );
          // Held for the stream's next run: its version and hash in the store are the log's last event's, not the rebuild's.
          heads.remember(run.stream, next);
        }
        after = (events[events.length - 1] as StoredEvent).position;
        processed += events.length;
        onProgress?.({ processed, total: Math.max(total, processed) });
      }
    });
    try {
      work.immediate();
    } finally {
      heads.clear();
    }
    return { events: processed, rooms };
  }

  /** Whether the subscription was there before; one write transaction, so that another process cannot slip in between. */
  const putSubscription = db.transaction((subscription: EventSubscription): 'created' | 'replaced' => {
    const existed = sql.eventSubscription.get(subscription.tenantId, subscription.name) !== undefined;
    sql.putEventSubscription.run(
      subscription.tenantId,
      subscription.name,
      subscription.endpointUrl,
      subscription.includedEventTypes === null ? null : JSON.stringify(subscription.includedEventTypes),
      subscription.eventDeliverySchema,
      subscription.secret,
      subscription.createdAt,
      subscription.startAfter,
    );
    return existed ? 'replaced' : 'created';
  });

  const removeSubscription = db.transaction((tenantId: TenantId, name: string): boolean => {
    sql.removeDeadLettersOf.run(tenantId, name);
    return sql.removeEventSubscription.run(tenantId, name).changes > 0;
  });

  type AppendArguments = Parameters<EventStore['append']>;
  type AppendOutcome = Result<AppendResult, ConcurrencyError | StoreError>;
  let pending: { readonly args: AppendArguments; readonly answer: (outcome: AppendOutcome) => void }[] = [];

  /** Commits what was appended during the last turn of the event loop: one transaction, a savepoint per append. */
  function commitPending(): void {
    const group = pending;
    pending = [];
    if (group.length === 0) return;
    const stopped = refusal();
    if (stopped !== null) {
      for (const { answer } of group) answer(err(stopped));
      return;
    }
    if (group.length === 1) {
      const only = group[0] as (typeof group)[number];
      const outcome = append(...only.args);
      if (storedEvents(outcome)) committed();
      options.onCommit?.(1);
      answerOnceDurable(group, [outcome]);
      return;
    }
    const outcomes: ({ readonly done: { result: AppendResult; head: KeyedHead | null } } | { readonly cause: unknown })[] = [];
    const commitAll = db.transaction(() => {
      // A transaction function called inside another runs in a savepoint, and rolls back to it when it throws.
      for (const { args } of group) {
        try {
          outcomes.push({ done: appendTransaction(...args) });
        } catch (cause) {
          outcomes.push({ cause });
        }
      }
    });
    try {
      commitAll.immediate();
    } catch (cause) {
      // Heads read inside the transaction may hold what it wrote before it failed.
      heads.clear();
      const failed = err(failure('Append failed')(cause));
      answerOnceDurable(
        group,
        group.map(() => failed),
      );
      return;
    }
    options.onCommit?.(group.length);
    const answers = group.map(({ args }, index): AppendOutcome => {
      const outcome = outcomes[index];
      if (outcome === undefined || !('done' in outcome)) return refused(args, outcome?.cause);
      // The head is remembered at once: a decision made on it is answered only after a later sync.
      if (outcome.done.head !== null) heads.remember(args[0], outcome.done.head);
      return ok(outcome.done.result);
    });
    if (answers.some(storedEvents)) committed();
    answerOnceDurable(group, answers);
  }

  /** Whether an append wrote to the log (a replayed batch, or one of no events, writes nothing). */
  function storedEvents(outcome: AppendOutcome): boolean {
    return outcome.isOk() && outcome.value.events.length > 0 && !outcome.value.replayed;
  }

  /**
   * Whether appends have lately come one at a time: then a lone commit syncs on this thread, as the
   * trip to the pool and back would only add to its caller's wait. Appends that arrive together, or
   * while a sync runs, mean other callers are waiting for this thread, and commits sync on the pool.
   */
  let oneAtATime = true;
  let appendsMade = 0;

  /** Answers each caller of a group its outcome once the group's commit, and every one before it, is durable. */
  function answerOnceDurable(group: typeof pending, outcomes: readonly AppendOutcome[]): void {
    const answerAll = () => {
      group.forEach(({ answer }, index) => {
        answer(outcomes[index] as AppendOutcome);
      });
    };
    const syncFailed = (cause: unknown) => {
      const failed = syncFailure(cause);
      for (const { answer } of group) answer(err(failed));
    };
    if (group.length > 1) oneAtATime = false;
    if (walSync !== null && oneAtATime && !walSync.syncing) {
      const failed = walSync.syncHere();
      if (failed === null) answerAll();
      else syncFailed(failed);
      return;
    }
    const waiting = walSync?.durable() ?? null;
    if (waiting === null) {
      answerAll();
      return;
    }
    const madeBefore = appendsMade;
    waiting.then(() => {
      if (appendsMade === madeBefore) oneAtATime = true;
      answerAll();
    }, syncFailed);
  }

  /** What an append that threw says: a conflict or a duplicate batch may be a replay of one already stored. */
  function refused([stream, events]: AppendArguments, cause: unknown): AppendOutcome {
    if (cause instanceof Conflict) return replayOrConflict(stream, events, cause.error);
    if (isUniqueEventIdViolation(cause)) return replayOrConflict(stream, events, failure('Append failed')(cause));
    return err(failure(`Append to room ${stream.roomId} failed`)(cause));
  }

  return {
    append(stream, events, expected, decided) {
      const stopped = refusal();
      if (stopped !== null) return errAsync(stopped);
      if (!(options.groupCommit ?? true)) {
        const result = append(stream, events, expected, decided);
        options.onCommit?.(1);
        if (storedEvents(result)) committed();
        // Without group commit every append is a commit of its own, synced in place as SQLite's FULL would.
        const syncFailed = walSync?.syncHere() ?? null;
        if (syncFailed !== null) return errAsync(syncFailure(syncFailed));
        return result.isOk() ? okAsync(result.value) : errAsync(result.error);
      }
      return new ResultAsync(
        new Promise<AppendOutcome>((answer) => {
          if (pending.length === 0) setImmediate(commitPending);
          pending.push({ args: [stream, events, expected, decided], answer });
          appendsMade += 1;
        }),
      );
    },

    readStream(stream, range = {}) {
      const bounds = versionBounds(range);
      return afterATurn(() =>
        run('Reading a stream failed', () =>
          bounds === null ? [] : sql.streamRange.all(stream.tenantId, stream.roomId, bounds.from, bounds.to).map(toStoredEvent),
        ),
      );
    },

    headPosition() {
      return run('Reading the log failed', () => sql.headPosition.get()?.position ?? 0);
    },

    readAll({ afterPosition, limit }) {
      return afterATurn(() =>
        run('Reading the log failed', () => (limit <= 0 ? [] : sql.eventsAfter.all(Math.max(0, afterPosition), limit).map(toStoredEvent))),
      );
    },

    loadStream(stream, options = {}) {
      return run('Loading a stream failed', () => {
        const head = options.checkedByAppend === true ? heads.recent(stream) : heads.read(stream);
        return head.version === 0 ? null : { version: head.version, state: head.state };
      });
    },

    loadRoom(stream) {
      return this.loadStream(stream).map(loadedRoom);
    },

    getRoom(stream) {
      return run('Reading a room failed', () => {
        const row = sql.activeRoom.get(stream.tenantId, stream.roomId);
        return row === undefined ? null : summaryFromRow(row);
      });
    },

    listRooms({ tenantId, ...page }) {
      return keysetPage(
        roomListKeys,
        page,
        ({ after, pageSize }) => run('Listing rooms failed', () => sql.activeRoomsPage.all(tenantId, ...roomListBound(after), pageSize + 1)),
        roomListKeyOf,
        summaryFromRow,
      );
    },

    listParticipants(stream, page = {}) {
      return keysetPage(
        rosterKeys,
        page,
        ({ after, pageSize }) =>
          run('Listing participants failed', () => sql.rosterPage.all(stream.tenantId, stream.roomId, after ?? 0, pageSize + 1)),
        (row) => row.seq,
        participantFromRow,
      );
    },

    findByRequestId(tenantId, requestId) {
      return run('Reading the request ledger failed', () => requestFromRow(tenantId, requestId, sql.request.get(tenantId, requestId)));
    },

    roomsOfParticipant(tenantId, participant) {
      return run('Reading rosters failed', () => sql.roomsOfParticipant.all(participant, tenantId).map((row) => row.room_id as RoomId));
    },

    callsToExpire(now, limit) {
      return run('Reading calls to expire failed', () => (limit <= 0 ? [] : sql.callsToExpire.all(now, limit).map(expiryFromRow)));
    },

    nextCallExpiry() {
      return run('Reading calls to expire failed', () => sql.nextCallExpiry.get()?.next ?? null);
    },

    checkpoints: {
      get: (name) => run('Reading a checkpoint failed', () => sql.checkpoint.get(name)?.position ?? null),
      set: (name, position) => write('Writing a checkpoint failed', () => void sql.setCheckpoint.run(name, position)),
    },

    signingKeys: {
      list: () => run('Reading signing keys failed', () => sql.signingKeys.all().map(signingKeyFromRow)),
      add: (key) => write('Writing a signing key failed', () => void sql.addSigningKey.run(key.kid, key.createdAt, key.privateJwk, key.publicJwk)),
    },

    leases: {
      acquire: (name, holder, now, until) => write('Taking a lease failed', () => sql.acquireLease.run(name, holder, until, now).changes > 0),
      release: (name, holder) => write('Handing back a lease failed', () => void sql.releaseLease.run(name, holder)),
    },

    eventSubscriptions: {
      put: (subscription) => write('Writing an event subscription failed', () => putSubscription.immediate(subscription)),
      get: (tenantId, name) =>
        run('Reading an event subscription failed', () => {
          const row = sql.eventSubscription.get(tenantId, name);
          return row === undefined ? null : subscriptionOf(row);
        }),
      list: (tenantId, page = {}) =>
        keysetPage(
          eventSubscriptionKeys,
          page,
          ({ after, pageSize }) =>
            run('Listing event subscriptions failed', () => sql.eventSubscriptionsPage.all(tenantId, after ?? '', pageSize + 1)),
          (row) => row.name,
          subscriptionOf,
        ),
      all: () => run('Reading event subscriptions failed', () => sql.allEventSubscriptions.all().map(subscriptionOf)),
      remove: (tenantId, name) => write('Removing an event subscription failed', () => removeSubscription.immediate(tenantId, name)),
      addDeadLetter: (letter) =>
        write(
          'Writing a dead letter failed',
          () =>
            void sql.addDeadLetter.run(
              letter.tenantId,
              letter.subscription,
              letter.eventId,
              letter.position,
              letter.eventType,
              JSON.stringify(letter.event),
              letter.attempts,
              letter.lastError,
              letter.deadLetteredAt,
              letter.queued ? 1 : 0,
            ),
        ),
      deadLetters: (tenantId, name, page = {}) =>
        keysetPage(
          deadLetterKeys,
          page,
          ({ after, pageSize }) =>
            run('Listing dead letters failed', () =>
              sql.deadLettersPage.all(tenantId, name, after?.position ?? -1, after?.eventId ?? '', pageSize + 1),
            ),
          (row) => ({ position: row.position, eventId: row.event_id }),
          letterOf,
        ),
      queueRedelivery: (tenantId, name) => write('Queueing dead letters failed', () => sql.queueRedelivery.run(tenantId, name).changes),
      queuedDeadLetters: (limit) =>
        run('Reading queued dead letters failed', () => (limit <= 0 ? [] : sql.queuedDeadLetters.all(limit).map(letterOf))),
      removeDeadLetter: (tenantId, name, eventId) =>
        write('Removing a dead letter failed', () => void sql.removeDeadLetter.run(tenantId, name, eventId)),
    },

    rebuildProjections(onProgress) {
      return write('Rebuilding projections failed', () => rebuild(onProgress));
    },

    async close() {
      // Appends already made are committed first: their callers are waiting for that answer.
      if (pending.length > 0 && db.open) commitPending();
      await walSync?.close();
      await walWriter?.close();
      if (db.open) db.close();
    },
  };
}
