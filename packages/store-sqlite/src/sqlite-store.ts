import {
  type AppendResult,
  type ConcurrencyError,
  chain,
  checkExpectedVersion,
  EMPTY_HEAD,
  type EventStore,
  matchStoredBatch,
  type ParticipantId,
  type ParticipantRecord,
  parsePageRequest,
  type RebuildProgress,
  type RebuildReport,
  type Role,
  type RoomId,
  type StoredEvent,
  type StoreError,
  type StoreTuning,
  type StreamHead,
  type StreamKey,
  storeFailure,
  summaryFromRow,
  type TenantId,
  toPage,
} from '@usher/core';
import Database from 'better-sqlite3';
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { createHeadCache } from './head-cache.js';
import { migrate, SCHEMA_VERSION, schemaVersionOf } from './migrations.js';
import { createProjector } from './projection.js';
import { toStoredEvent } from './rows.js';
import { prepareAppend } from './sql/append.js';
import { prepareCheckpoints } from './sql/checkpoints.js';
import { prepareParticipants } from './sql/participants.js';
import { prepareReadAll } from './sql/read-all.js';
import { prepareReadStream } from './sql/read-stream.js';
import { clearProjections } from './sql/rebuild.js';
import { prepareRequests } from './sql/requests.js';
import { prepareRooms } from './sql/rooms.js';

/** `FULL` survives power loss; `NORMAL` in WAL mode may lose the last commits on power loss, never on a crash of the process. */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteStoreOptions extends StoreTuning {
  /** A file path, or `:memory:` for a private in-process database. */
  readonly path: string;
  /** How long a writer waits for another process's write lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number | undefined;
  /** Default `FULL`. */
  readonly synchronous?: SqliteSynchronous | undefined;
  /** Apply pending migrations on open (default true); when false, opening an outdated file fails. */
  readonly migrate?: boolean | undefined;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const DEFAULT_REBUILD_BATCH = 10_000;
const NEWEST = Number.MAX_SAFE_INTEGER;

class Conflict {
  constructor(readonly error: ConcurrencyError | StoreError) {}
}

function failure(message: string) {
  return (cause: unknown): StoreError => storeFailure(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
}

function isUniqueEventIdViolation(cause: unknown): boolean {
  return cause instanceof Error && 'code' in cause && cause.code === 'SQLITE_CONSTRAINT_UNIQUE' && cause.message.includes('events.event_id');
}

/** Opens (and by default migrates) a SQLite file; throws when the file cannot be opened, as a misconfiguration. */
export function openSqliteDatabase(options: SqliteStoreOptions): Database.Database {
  const db = new Database(options.path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  if (options.migrate ?? true) migrate(db);
  const version = schemaVersionOf(db);
  if (version !== SCHEMA_VERSION) {
    db.close();
    throw new Error(`${options.path} has schema version ${version}, this build needs ${SCHEMA_VERSION}: run the migration first.`);
  }
  return db;
}

export function createSqliteStore(options: SqliteStoreOptions): EventStore {
  const db = openSqliteDatabase(options);
  const rebuildBatch = options.rebuildBatchSize ?? DEFAULT_REBUILD_BATCH;
  const appendSql = prepareAppend(db);
  const projector = createProjector(db);
  const readStreamSql = prepareReadStream(db);
  const readAllSql = prepareReadAll(db);
  const heads = createHeadCache(db, options.headCacheSize);
  const roomsSql = prepareRooms(db);
  const participantsSql = prepareParticipants(db);
  const requestsSql = prepareRequests(db);
  const checkpointsSql = prepareCheckpoints(db);

  function run<T>(what: string, body: () => T): ResultAsync<T, StoreError> {
    if (!db.open) return errAsync(storeFailure('The SQLite store is closed.'));
    try {
      return okAsync(body());
    } catch (cause) {
      return errAsync(failure(what)(cause));
    }
  }

  function storedBatch(stream: StreamKey, events: Parameters<EventStore['append']>[1]) {
    return matchStoredBatch(
      stream,
      events,
      events.map((event) => {
        const row = appendSql.eventById.get(event.eventId);
        return row === undefined ? undefined : toStoredEvent(row);
      }),
    );
  }

  const appendTransaction = db.transaction(
    (
      stream: StreamKey,
      events: Parameters<EventStore['append']>[1],
      expected: Parameters<EventStore['append']>[2],
    ): { result: AppendResult; head: StreamHead | null } => {
      const head = heads.read(stream);
      const checked = checkExpectedVersion(stream, expected, head.version);
      if (checked.isErr()) throw new Conflict(checked.error);
      const stored: StoredEvent[] = [];
      let next: StreamHead = head;
      for (const event of chain(stream, head.lastHash, head.version + 1, events)) {
        const inserted = appendSql.insertEvent.run(
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
        const storedEvent = { ...event, position: Number(inserted.lastInsertRowid) } as StoredEvent;
        next = projector.apply(next, storedEvent);
        stored.push(storedEvent);
      }
      if (stored.length > 0) projector.write(stream, next);
      return { result: { stream, version: next.version, events: stored, replayed: false }, head: stored.length > 0 ? next : null };
    },
  );

  function replayOrConflict(stream: StreamKey, events: Parameters<EventStore['append']>[1], otherwise: ConcurrencyError | StoreError) {
    const replay = storedBatch(stream, events);
    if (replay.isErr()) return err(replay.error);
    if (replay.value === null) return err(otherwise);
    const version = heads.read(stream).version;
    return ok<AppendResult, never>({ stream, version, events: [...replay.value], replayed: true });
  }

  function append(...[stream, events, expected]: Parameters<EventStore['append']>): Result<AppendResult, ConcurrencyError | StoreError> {
    try {
      const { result, head } = appendTransaction.immediate(stream, events, expected);
      // Only a committed head is remembered: a rolled-back one would hide the stored state.
      if (head !== null) heads.remember(stream, head);
      return ok(result);
    } catch (cause) {
      // The checks for a retried batch run only off the hot path: after a version conflict or a duplicate event id.
      if (cause instanceof Conflict) return replayOrConflict(stream, events, cause.error);
      if (isUniqueEventIdViolation(cause)) return replayOrConflict(stream, events, failure('Append failed')(cause));
      return err(failure(`Append to room ${stream.roomId} failed`)(cause));
    }
  }

  function rebuild(onProgress?: (progress: RebuildProgress) => void): RebuildReport {
    const total = readAllSql.count.get()?.total ?? 0;
    let processed = 0;
    let rooms = 0;
    const work = db.transaction(() => {
      heads.clear();
      clearProjections(db);
      let current: { stream: StreamKey; head: StreamHead } | null = null;
      const flush = () => {
        if (current !== null) projector.write(current.stream, current.head);
      };
      for (let after = 0; ; ) {
        const rows = readAllSql.after.all(after, rebuildBatch);
        if (rows.length === 0) break;
        for (const row of rows) {
          const event = toStoredEvent(row);
          if (current === null || current.stream.tenantId !== event.tenantId || current.stream.roomId !== event.roomId) {
            flush();
            const stream = { tenantId: event.tenantId as TenantId, roomId: event.roomId as RoomId };
            const existing = heads.read(stream);
            if (existing === EMPTY_HEAD) rooms += 1;
            current = { stream, head: existing };
          }
          current.head = projector.apply(current.head, event);
          after = event.position;
        }
        flush();
        current = null;
        processed += rows.length;
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

  return {
    append(stream, events, expected) {
      if (!db.open) return errAsync(storeFailure('The SQLite store is closed.'));
      const result = append(stream, events, expected);
      return result.isOk() ? okAsync(result.value) : errAsync(result.error);
    },

    readStream(stream, range = {}) {
      return run('Reading a stream failed', () =>
        readStreamSql.all(stream.tenantId, stream.roomId, Math.max(1, range.fromVersion ?? 1), range.toVersion ?? NEWEST).map(toStoredEvent),
      );
    },

    readAll({ afterPosition, limit }) {
      return run('Reading the log failed', () => (limit <= 0 ? [] : readAllSql.after.all(Math.max(0, afterPosition), limit).map(toStoredEvent)));
    },

    loadRoom(stream) {
      return run('Loading a room failed', () => {
        const head = heads.read(stream);
        return head.version === 0 ? null : { version: head.version, state: head.state };
      });
    },

    getRoom(stream) {
      return run('Reading a room failed', () => {
        const row = roomsSql.get.get(stream.tenantId, stream.roomId);
        return row === undefined ? null : summaryFromRow(row);
      });
    },

    listRooms({ tenantId, ...page }) {
      const keyset = parsePageRequest(page);
      if (keyset.isErr()) return errAsync(keyset.error);
      const { after, pageSize } = keyset.value;
      return run('Listing rooms failed', () => {
        const rows = roomsSql.page.all(tenantId, after ?? NEWEST, pageSize + 1);
        const { items, nextPageToken } = toPage(rows, pageSize, (row) => row.created_position);
        return { items: items.map(summaryFromRow), nextPageToken };
      });
    },

    listParticipants(stream, page = {}) {
      const keyset = parsePageRequest(page);
      if (keyset.isErr()) return errAsync(keyset.error);
      const { after, pageSize } = keyset.value;
      return run('Listing participants failed', () => {
        const rows = participantsSql.all(stream.tenantId, stream.roomId, after ?? 0, pageSize + 1);
        const { items, nextPageToken } = toPage(rows, pageSize, (row) => row.seq);
        return {
          items: items.map((row): ParticipantRecord => ({ participantId: row.participant_id as ParticipantId, role: row.role as Role })),
          nextPageToken,
        };
      });
    },

    findByRequestId(tenantId, requestId) {
      return run('Reading the request ledger failed', () => {
        const row = requestsSql.get(tenantId, requestId);
        return row === undefined
          ? null
          : { tenantId, requestId, roomId: row.room_id as RoomId, fromVersion: row.from_version, toVersion: row.to_version, at: row.at };
      });
    },

    checkpoints: {
      get: (name) => run('Reading a checkpoint failed', () => checkpointsSql.get.get(name)?.position ?? null),
      set: (name, position) => run('Writing a checkpoint failed', () => void checkpointsSql.set.run(name, position)),
    },

    rebuildProjections(onProgress) {
      return run('Rebuilding projections failed', () => rebuild(onProgress));
    },

    async close() {
      if (db.open) db.close();
    },
  };
}
