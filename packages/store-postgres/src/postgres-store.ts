import {
  type AppendResult,
  type ConcurrencyError,
  chain,
  concurrencyError,
  deadLetterKeys,
  type EventStore,
  type ExpectedVersion,
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
  type StreamState,
  storedEvent,
  storeFailure,
} from '@usher/core';
import {
  deadLetterFromRow,
  EMPTY_HEAD,
  eventSubscriptionFromRow,
  expiryFromRow,
  headAfter,
  isExact,
  keysetPage,
  loadedRoom,
  type MigrationReport,
  matchStoredBatch,
  participantFromRow,
  projectBatch,
  requestFromRow,
  roomListBound,
  roomListKeyOf,
  type StoreTuning,
  type StreamHead,
  signingKeyFromRow,
  stateWithRoster,
  streamHeadCache,
  streamRuns,
  summaryFromRow,
  versionBounds,
} from '@usher/core/store-kit';
import { errAsync, ResultAsync } from 'neverthrow';
import pg from 'pg';
import { migrate, SCHEMA_VERSION, schemaVersionOf } from './migrations.js';
import { projectionPayload } from './payload.js';
import { rowsOf } from './queries.js';
import { toStoredEvent } from './rows.js';
import { APPEND, APPEND_BATCH, type AppendOutcome, SELECT_EVENTS_BY_ID } from './sql/append.js';
import { SELECT_CHECKPOINT, UPSERT_CHECKPOINT } from './sql/checkpoints.js';
import {
  DELETE_DEAD_LETTER,
  DELETE_EVENT_SUBSCRIPTION,
  type DeadLetterRow,
  type EventSubscriptionRow,
  QUEUE_REDELIVERY,
  SELECT_ALL_EVENT_SUBSCRIPTIONS,
  SELECT_DEAD_LETTERS_PAGE,
  SELECT_EVENT_SUBSCRIPTION,
  SELECT_EVENT_SUBSCRIPTIONS_PAGE,
  SELECT_QUEUED_DEAD_LETTERS,
  UPSERT_DEAD_LETTER,
  UPSERT_EVENT_SUBSCRIPTION,
} from './sql/event-subscriptions.js';
import { SELECT_CALLS_TO_EXPIRE, SELECT_NEXT_CALL_EXPIRY } from './sql/expiries.js';
import { type HeadRow, SELECT_HEAD, SELECT_HEAD_VERSION } from './sql/heads.js';
import { ACQUIRE_LEASE, RELEASE_LEASE } from './sql/leases.js';
import { SELECT_ROOMS_OF_PARTICIPANT, SELECT_ROSTER, SELECT_ROSTER_PAGE } from './sql/participants.js';
import { COUNT_EVENTS, SELECT_AFTER_POSITION, SELECT_HEAD_POSITION } from './sql/read-all.js';
import { SELECT_STREAM_RANGE } from './sql/read-stream.js';
import { CLEAR_PROJECTIONS, LOCK_APPENDS, PROJECT } from './sql/rebuild.js';
import { SELECT_REQUEST } from './sql/requests.js';
import { SELECT_ACTIVE_ROOM, SELECT_ACTIVE_ROOMS_PAGE } from './sql/rooms.js';
import { INSERT_SIGNING_KEY, SELECT_SIGNING_KEYS } from './sql/signing-keys.js';

export interface PostgresStoreOptions extends StoreTuning {
  readonly connectionString: string;
  /** The schema holding Usher's tables (default `usher`); create it with `migratePostgres`. */
  readonly schema?: string | undefined;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number | undefined;
  /** How long to wait for a connection before the operation fails (default 5000 ms). */
  readonly connectionTimeoutMs?: number | undefined;
  /**
   * Group commit (default true): appends made in one turn of the event loop go to the database in one
   * statement and commit in one transaction, each in a subtransaction of its own (one that fails undoes
   * nothing of the others); every caller is answered once that transaction is committed.
   */
  readonly groupCommit?: boolean | undefined;
  /** Told how many appends each group held: for metrics and tests. */
  readonly onCommit?: ((appends: number) => void) | undefined;
}

export const DEFAULT_SCHEMA = 'usher';
const INT8 = 20;
/**
 * A stale head is answered with the current one, under the append lock: another writer got to the
 * room first, so every retry follows someone's progress. Under a burst, a few in a row are normal.
 */
const STALE_HEAD_RETRIES = 16;

function createPool(options: PostgresStoreOptions): pg.Pool {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    options: `-c search_path=${JSON.stringify(schema)}`,
    // Positions are bigint in the database; they stay below 2^53 here, so they travel as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that breaks must not crash the process: the next query reports the failure.
  pool.on('error', () => undefined);
  return pool;
}

/** Creates the schema or brings it up to date; the explicit step before a store is used. */
export async function migratePostgres(options: PostgresStoreOptions): Promise<MigrationReport> {
  const pool = createPool({ ...options, poolSize: 1 });
  try {
    return await migrate(pool, options.schema ?? DEFAULT_SCHEMA);
  } finally {
    await pool.end();
  }
}

/** Fails with a message naming the fix when the schema is missing or older than this build needs. */
export async function checkPostgresSchema(options: PostgresStoreOptions): Promise<void> {
  const pool = createPool({ ...options, poolSize: 1 });
  const schema = options.schema ?? DEFAULT_SCHEMA;
  try {
    const version = await schemaVersionOf(pool, schema);
    if (version !== SCHEMA_VERSION) {
      throw new Error(
        `PostgreSQL schema "${schema}" is at version ${version}, this build needs ${SCHEMA_VERSION}: run \`usher migrate --postgres <url>\` first.`,
      );
    }
  } finally {
    await pool.end();
  }
}

const subscriptionOf = (row: EventSubscriptionRow) => eventSubscriptionFromRow(row, (value: unknown) => value);
const letterOf = (row: DeadLetterRow) => deadLetterFromRow(row, (value: unknown) => value);

function failure(what: string) {
  return (cause: unknown): StoreError => storeFailure(`${what}: ${cause instanceof Error ? cause.message || cause.name : String(cause)}`, cause);
}

/** The head of a stored row, with an active room's roster read back from the participants table. */
async function headOf(client: pg.Pool | pg.PoolClient, stream: LogStreamKey, row: HeadRow | undefined): Promise<StreamHead> {
  if (row === undefined) return EMPTY_HEAD;
  const stored = row.state as StreamState;
  const roster = stored.status === 'active' ? await rowsOf(client, SELECT_ROSTER, stream.tenantId, stream.roomId) : [];
  return { version: row.version, lastHash: row.last_hash, state: stateWithRoster(stored, () => roster), createdPosition: row.created_position };
}

export function createPostgresStore(options: PostgresStoreOptions): EventStore {
  const pool = createPool(options);
  const capacity = options.headCacheSize ?? 1024;
  const batchSize = options.rebuildBatchSize ?? 10_000;
  const heads = streamHeadCache(capacity);
  let closed = false;

  function run<T>(what: string, body: () => Promise<T>): ResultAsync<T, StoreError> {
    if (closed) return errAsync(storeFailure('The PostgreSQL store is closed.'));
    return ResultAsync.fromPromise(body(), failure(what));
  }

  /** The stream's head: the one this node holds while the stored version and hash still match it, else read again. */
  async function readHead(stream: LogStreamKey): Promise<StreamHead> {
    const held = heads.get(stream);
    if (held !== undefined) {
      const stored = (await rowsOf(pool, SELECT_HEAD_VERSION, stream.tenantId, stream.roomId))[0];
      if (stored !== undefined && Number(stored.version) === held.version && stored.last_hash === held.lastHash) return held;
    }
    // The head row and the roster in one snapshot.
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const head = await headOf(client, stream, (await rowsOf(client, SELECT_HEAD, stream.tenantId, stream.roomId))[0]);
      await client.query('COMMIT');
      if (head.version > 0) heads.remember(stream, head);
      return head;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  class Refused {
    constructor(readonly error: ConcurrencyError | StoreError) {}
  }

  /** What usher_append takes for one append computed from `head`, and the chained events it carries. */
  /** One append, as the store was asked for it. */
  interface AppendCall {
    readonly stream: LogStreamKey;
    readonly events: readonly NewEvent[];
    readonly expected: ExpectedVersion;
    readonly decided: StreamState | undefined;
  }

  function appendRequest({ stream, events, expected, decided }: AppendCall, head: StreamHead) {
    const chained = chain(stream, head.lastHash, head.version + 1, events);
    const batch = projectBatch(head, chained, isExact(expected) ? decided : undefined);
    const parameters = {
      ...projectionPayload(stream, batch),
      expected,
      assumedVersion: head.version,
      assumedHash: head.lastHash,
      eventIds: events.map((event) => event.eventId),
      events: chained,
    };
    return { chained, batch, parameters };
  }

  async function appendOnce(call: AppendCall, head: StreamHead, retries: number): Promise<AppendResult> {
    const request = appendRequest(call, head);
    const outcome = (await rowsOf(pool, APPEND, JSON.stringify(request.parameters)))[0]?.outcome;
    return settle(call, head, retries, request, outcome);
  }

  /** What an append's outcome means for its caller: stored, refused, or (a stale head) tried again on its own. */
  async function settle(
    call: AppendCall,
    head: StreamHead,
    retries: number,
    { chained, batch }: ReturnType<typeof appendRequest>,
    outcome: AppendOutcome | undefined,
  ): Promise<AppendResult> {
    const { stream, events, expected } = call;
    switch (outcome?.status) {
      case 'ok': {
        const positions = outcome.positions.map(Number);
        const stored = chained.map((event, index): StoredEvent => storedEvent(event, positions[index] as number));
        if (stored.length > 0)
          heads.remember(
            stream,
            headAfter(head, batch, (index) => positions[index] as number),
          );
        return { stream, version: batch.version, events: stored, replayed: false };
      }
      case 'stale': {
        // Another node moved the stream: read its head (the roster is not in the stored state).
        const current = outcome.version === 0 ? EMPTY_HEAD : await readHead(stream);
        if (retries <= 0) throw new Refused(storeFailure('The stream head kept moving while appending; retry.'));
        return appendOnce(call, current, retries - 1);
      }
      case 'conflict':
        throw new Refused(concurrencyError(stream, expected, outcome.actual));
      case 'error':
        // It failed on its own inside a group (its subtransaction rolled back): alone, it says why, or succeeds.
        return appendOnce(call, head, retries);
      case 'duplicate': {
        const rows = (
          await rowsOf(
            pool,
            SELECT_EVENTS_BY_ID,
            events.map((event) => event.eventId),
          )
        ).map(toStoredEvent);
        const byId = new Map(rows.map((event) => [event.eventId as string, event]));
        const replay = matchStoredBatch(
          stream,
          events,
          events.map((event) => byId.get(event.eventId)),
        );
        if (replay.isErr()) throw new Refused(replay.error);
        const version = (await readHead(stream)).version;
        return { stream, version, events: [...(replay.value ?? [])], replayed: true };
      }
      default:
        throw new Error(`usher_append answered ${JSON.stringify(outcome)}`);
    }
  }

  interface PendingAppend extends AppendCall {
    readonly resolve: (result: AppendResult) => void;
    readonly reject: (cause: unknown) => void;
  }
  let pending: PendingAppend[] = [];
  /** Groups sent and not answered yet: closing waits for them. */
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
  };

  /**
   * Whether a group is on its way to the server. Appends commit one at a time in the database (the
   * advisory lock that keeps positions in commit order), so a second group sent meanwhile would only
   * wait there for the lock and then pay for a commit of its own: the appends that arrive while a group
   * is out wait here instead, and go together in the next one when it comes back.
   */
  let sending = false;

  function sendWhenFree(): void {
    if (!sending) commitPending();
  }

  /** Sends what was appended since the last group left: alone as usher_append, together as usher_append_batch. */
  function commitPending(): void {
    const group = pending;
    pending = [];
    if (group.length === 0) return;
    options.onCommit?.(group.length);
    sending = true;
    const sent = group.length === 1 ? sendOne(group[0] as PendingAppend) : sendGroup(group);
    track(
      sent.finally(() => {
        sending = false;
        if (pending.length > 0) commitPending();
      }),
    );
  }

  function sendOne(only: PendingAppend): Promise<void> {
    return appendOnce(only, heads.get(only.stream) ?? EMPTY_HEAD, STALE_HEAD_RETRIES).then(only.resolve, only.reject);
  }

  function sendGroup(group: readonly PendingAppend[]): Promise<unknown> {
    const prepared = group.map((item) => {
      const head = heads.get(item.stream) ?? EMPTY_HEAD;
      return { item, head, request: appendRequest(item, head) };
    });
    return rowsOf(pool, APPEND_BATCH, JSON.stringify(prepared.map(({ request }) => request.parameters))).then(
      (rows) => {
        const outcomes = rows[0]?.outcomes ?? [];
        return Promise.all(
          prepared.map(({ item, head, request }, index) =>
            settle(item, head, STALE_HEAD_RETRIES, request, outcomes[index]).then(item.resolve, item.reject),
          ),
        );
      },
      (cause: unknown) => {
        for (const { reject } of group) reject(cause);
      },
    );
  }

  async function rebuild(onProgress?: (progress: RebuildProgress) => void): Promise<RebuildReport> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await rowsOf(client, LOCK_APPENDS);
      const total = Number((await rowsOf(client, COUNT_EVENTS))[0]?.total ?? 0);
      await rowsOf(client, CLEAR_PROJECTIONS);
      let processed = 0;
      let rooms = 0;
      for (let after = 0; ; ) {
        const events = (await rowsOf(client, SELECT_AFTER_POSITION, after, batchSize)).map(toStoredEvent);
        if (events.length === 0) break;
        for (const run of streamRuns(events)) {
          const head = await headOf(client, run.stream, (await rowsOf(client, SELECT_HEAD, run.stream.tenantId, run.stream.roomId))[0]);
          if (head.version === 0) rooms += 1;
          const payload = projectionPayload(run.stream, projectBatch(head, run.events));
          await rowsOf(client, PROJECT, JSON.stringify(payload), (run.events[0] as StoredEvent).position - 1, head.createdPosition);
        }
        after = (events[events.length - 1] as StoredEvent).position;
        processed += events.length;
        onProgress?.({ processed, total: Math.max(total, processed) });
      }
      await client.query('COMMIT');
      return { events: processed, rooms };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      heads.clear();
      client.release();
    }
  }

  return {
    append(stream, events, expected, decided) {
      if (closed) return errAsync(storeFailure('The PostgreSQL store is closed.'));
      const refusal = (cause: unknown) => (cause instanceof Refused ? cause.error : failure(`Append to room ${stream.roomId} failed`)(cause));
      if (!(options.groupCommit ?? true)) {
        options.onCommit?.(1);
        return ResultAsync.fromPromise(
          appendOnce({ stream, events, expected, decided }, heads.get(stream) ?? EMPTY_HEAD, STALE_HEAD_RETRIES),
          refusal,
        );
      }
      return ResultAsync.fromPromise(
        new Promise<AppendResult>((resolve, reject) => {
          if (pending.length === 0) setImmediate(sendWhenFree);
          pending.push({ stream, events, expected, decided, resolve, reject });
        }),
        refusal,
      );
    },

    readStream(stream, range = {}) {
      const bounds = versionBounds(range);
      return run('Reading a stream failed', async () =>
        bounds === null ? [] : (await rowsOf(pool, SELECT_STREAM_RANGE, stream.tenantId, stream.roomId, bounds.from, bounds.to)).map(toStoredEvent),
      );
    },

    headPosition() {
      return run('Reading the log failed', async () => Number((await rowsOf(pool, SELECT_HEAD_POSITION))[0]?.position ?? 0));
    },

    readAll({ afterPosition, limit }) {
      return run('Reading the log failed', async () =>
        limit <= 0 ? [] : (await rowsOf(pool, SELECT_AFTER_POSITION, Math.max(0, afterPosition), limit)).map(toStoredEvent),
      );
    },

    loadStream(stream) {
      return run('Loading a stream failed', async () => {
        const head = await readHead(stream);
        return head.version === 0 ? null : { version: head.version, state: head.state };
      });
    },

    loadRoom(stream) {
      return this.loadStream(stream).map(loadedRoom);
    },

    getRoom(stream) {
      return run('Reading a room failed', async () => {
        const row = (await rowsOf(pool, SELECT_ACTIVE_ROOM, stream.tenantId, stream.roomId))[0];
        return row === undefined ? null : summaryFromRow(row);
      });
    },

    listRooms({ tenantId, ...page }) {
      return keysetPage(
        roomListKeys,
        page,
        ({ after, pageSize }) =>
          run('Listing rooms failed', () => rowsOf(pool, SELECT_ACTIVE_ROOMS_PAGE, tenantId, ...roomListBound(after), pageSize + 1)),
        roomListKeyOf,
        summaryFromRow,
      );
    },

    listParticipants(stream, page = {}) {
      return keysetPage(
        rosterKeys,
        page,
        ({ after, pageSize }) =>
          run('Listing participants failed', () => rowsOf(pool, SELECT_ROSTER_PAGE, stream.tenantId, stream.roomId, after ?? 0, pageSize + 1)),
        (row) => row.seq,
        participantFromRow,
      );
    },

    findByRequestId(tenantId, requestId) {
      return run('Reading the request ledger failed', async () =>
        requestFromRow(tenantId, requestId, (await rowsOf(pool, SELECT_REQUEST, tenantId, requestId))[0]),
      );
    },

    roomsOfParticipant(tenantId, participant) {
      return run('Reading rosters failed', async () =>
        (await rowsOf(pool, SELECT_ROOMS_OF_PARTICIPANT, tenantId, participant)).map((row) => row.room_id as RoomId),
      );
    },

    callsToExpire(now, limit) {
      return run('Reading calls to expire failed', async () =>
        limit <= 0 ? [] : (await rowsOf(pool, SELECT_CALLS_TO_EXPIRE, now, limit)).map(expiryFromRow),
      );
    },

    nextCallExpiry() {
      return run('Reading calls to expire failed', async () => (await rowsOf(pool, SELECT_NEXT_CALL_EXPIRY))[0]?.next ?? null);
    },

    checkpoints: {
      get: (name) => run('Reading a checkpoint failed', async () => (await rowsOf(pool, SELECT_CHECKPOINT, name))[0]?.position ?? null),
      set: (name, position) => run('Writing a checkpoint failed', async () => void (await rowsOf(pool, UPSERT_CHECKPOINT, name, position))),
    },

    signingKeys: {
      list: () => run('Reading signing keys failed', async () => (await rowsOf(pool, SELECT_SIGNING_KEYS)).map(signingKeyFromRow)),
      add: (key) =>
        run(
          'Writing a signing key failed',
          async () => void (await rowsOf(pool, INSERT_SIGNING_KEY, key.kid, key.createdAt, key.privateJwk, key.publicJwk)),
        ),
    },

    leases: {
      acquire: (name, holder, now, until) =>
        run('Taking a lease failed', async () => (await rowsOf(pool, ACQUIRE_LEASE, name, holder, until, now)).length > 0),
      release: (name, holder) => run('Handing back a lease failed', async () => void (await rowsOf(pool, RELEASE_LEASE, name, holder))),
    },

    eventSubscriptions: {
      put: (subscription) =>
        run('Writing an event subscription failed', async () => {
          const [row] = await rowsOf(
            pool,
            UPSERT_EVENT_SUBSCRIPTION,
            subscription.tenantId,
            subscription.name,
            subscription.endpointUrl,
            subscription.includedEventTypes === null ? null : JSON.stringify(subscription.includedEventTypes),
            subscription.eventDeliverySchema,
            subscription.secret,
            subscription.createdAt,
            subscription.startAfter,
          );
          return row?.created === true ? 'created' : 'replaced';
        }),
      get: (tenantId, name) =>
        run('Reading an event subscription failed', async () => {
          const row = (await rowsOf(pool, SELECT_EVENT_SUBSCRIPTION, tenantId, name))[0];
          return row === undefined ? null : subscriptionOf(row);
        }),
      list: (tenantId, page = {}) =>
        keysetPage(
          eventSubscriptionKeys,
          page,
          ({ after, pageSize }) =>
            run('Listing event subscriptions failed', () => rowsOf(pool, SELECT_EVENT_SUBSCRIPTIONS_PAGE, tenantId, after ?? '', pageSize + 1)),
          (row) => row.name,
          subscriptionOf,
        ),
      all: () => run('Reading event subscriptions failed', async () => (await rowsOf(pool, SELECT_ALL_EVENT_SUBSCRIPTIONS)).map(subscriptionOf)),
      remove: (tenantId, name) =>
        run('Removing an event subscription failed', async () => (await rowsOf(pool, DELETE_EVENT_SUBSCRIPTION, tenantId, name)).length > 0),
      addDeadLetter: (letter) =>
        run(
          'Writing a dead letter failed',
          async () =>
            void (await rowsOf(
              pool,
              UPSERT_DEAD_LETTER,
              letter.tenantId,
              letter.subscription,
              letter.eventId,
              letter.position,
              letter.eventType,
              JSON.stringify(letter.event),
              letter.attempts,
              letter.lastError,
              letter.deadLetteredAt,
              letter.queued,
            )),
        ),
      deadLetters: (tenantId, name, page = {}) =>
        keysetPage(
          deadLetterKeys,
          page,
          ({ after, pageSize }) =>
            run('Listing dead letters failed', () =>
              rowsOf(pool, SELECT_DEAD_LETTERS_PAGE, tenantId, name, after?.position ?? -1, after?.eventId ?? '', pageSize + 1),
            ),
          (row) => ({ position: row.position, eventId: row.event_id }),
          letterOf,
        ),
      queueRedelivery: (tenantId, name) =>
        run('Queueing dead letters failed', async () => (await rowsOf(pool, QUEUE_REDELIVERY, tenantId, name))[0]?.queued ?? 0),
      queuedDeadLetters: (limit) =>
        run('Reading queued dead letters failed', async () =>
          limit <= 0 ? [] : (await rowsOf(pool, SELECT_QUEUED_DEAD_LETTERS, limit)).map(letterOf),
        ),
      removeDeadLetter: (tenantId, name, eventId) =>
        run('Removing a dead letter failed', async () => void (await rowsOf(pool, DELETE_DEAD_LETTER, tenantId, name, eventId))),
    },

    rebuildProjections(onProgress) {
      return run('Rebuilding projections failed', () => rebuild(onProgress));
    },

    async close() {
      if (closed) return;
      // Appends already made are sent and answered first: their callers are waiting.
      closed = true;
      sendWhenFree();
      // A group coming back sends those that waited for it: wait until nothing is out or waiting.
      while (inFlight.size > 0 || pending.length > 0) {
        sendWhenFree();
        await Promise.allSettled([...inFlight]);
      }
      await pool.end();
    },
  };
}
