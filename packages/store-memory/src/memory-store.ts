import {
  asRoomState,
  chain,
  type DeadLetter,
  type DeadLetterKey,
  deadLetterKeys,
  type EventStore,
  type EventSubscription,
  type ExpectedVersion,
  eventSubscriptionKeys,
  GENESIS_HASH,
  type LogStreamKey,
  type ParticipantId,
  type ParticipantRecord,
  type RebuildProgress,
  type RequestRecord,
  type Role,
  type RoomId,
  type RoomListKey,
  type RoomSummary,
  roomListKeys,
  rosterKeys,
  type SigningKey,
  type StoredEvent,
  type StreamKey,
  type StreamState,
  storedEvent,
  storeFailure,
  summaryOf,
  type TenantId,
} from '@usher/core';
import {
  type BatchProjection,
  checkExpectedVersion,
  EMPTY_HEAD,
  headAfter,
  keysetPage,
  loadedRoom,
  matchStoredBatch,
  projectBatch,
  recordRequest,
  type StreamHead,
  versionBounds,
} from '@usher/core/store-kit';
import { errAsync, okAsync } from 'neverthrow';

interface RosterEntry {
  readonly role: Role;
  /** Version of the event that added the participant: the keyset of the roster listing. */
  readonly seq: number;
}

interface StreamRecord {
  readonly key: LogStreamKey;
  readonly positions: number[];
  state: StreamState;
  lastHash: string;
  /** Position at which the room came into existence; null until it has. */
  createdPosition: number | null;
  roster: Map<ParticipantId, RosterEntry>;
  rosterSeqs: number[];
}

const keyOf = (stream: LogStreamKey): string => `${stream.tenantId}\u0000${stream.roomId}`;
const lettersKey = (tenantId: TenantId, subscription: string): string => `${tenantId}\u0000${subscription}`;

/** Index of the first element of `sorted` for which `isPast` holds (it holds for a suffix of `sorted`). */
function firstPast<T>(sorted: readonly T[], isPast: (element: T) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isPast(sorted[mid] as T)) high = mid;
    else low = mid + 1;
  }
  return low;
}

const byNumber = (a: number, b: number) => a - b;
/** Byte order of the strings, as SQLite's BINARY and PostgreSQL's "C" collation compare them. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byCreation = (a: RoomListKey, b: RoomListKey) => byText(a.createdAt, b.createdAt) || byText(a.roomId, b.roomId);

const byLetterKey = (a: DeadLetterKey, b: DeadLetterKey) => a.position - b.position || byText(a.eventId, b.eventId);
/** Queued letters of every subscription: by position and event id, then tenant and subscription (one event may be dead for several). */
const byQueueOrder = (a: DeadLetter, b: DeadLetter) => byLetterKey(a, b) || byText(a.tenantId, b.tenantId) || byText(a.subscription, b.subscription);

/** What a store gives back must not change when the caller mutates it, and must look as if it was persisted. */
function persisted<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The reference EventStore: plain Maps and arrays, no I/O. Every other store must behave exactly like
 * this one (the contract suite checks it, with this store as the model). It folds every event itself,
 * never keeping the state the decider hands to `append`: so the contract and property suites compare
 * the decider's state with a replay.
 */
export function createMemoryStore(): EventStore {
  const log: StoredEvent[] = [];
  const streams = new Map<string, StreamRecord>();
  const eventPositions = new Map<string, number>();
  /** Each tenant's rooms in order of creation (time, then id): the keyset of room listings. */
  const roomsByTenant = new Map<TenantId, { key: RoomListKey; record: StreamRecord }[]>();
  const requests = new Map<string, RequestRecord>();
  const checkpointValues = new Map<string, number>();
  const keys: SigningKey[] = [];
  const leaseHolders = new Map<string, { holder: string; until: string }>();
  /** Each tenant's subscriptions in name order. */
  const subscriptionsByTenant = new Map<TenantId, EventSubscription[]>();
  /** Each subscription's dead letters (by `lettersKey`) in position order, then event id. */
  const lettersBySubscription = new Map<string, DeadLetter[]>();
  let closed = false;

  const guard = <T>(run: () => T) => (closed ? errAsync(storeFailure('The memory store is closed.')) : okAsync<T, never>(run()));

  /** Applies the projection of a run of `record`'s events, the first of which is at `firstPosition`. */
  function apply(record: StreamRecord, head: StreamHead, batch: BatchProjection, firstPosition: number): void {
    const next = headAfter(head, batch, (index) => firstPosition + index);
    const room = asRoomState(next.state);
    if (next.createdPosition !== null && next.createdPosition !== head.createdPosition && room !== null && room.status !== 'absent') {
      const key = { createdAt: room.room.createdAt, roomId: record.key.roomId as RoomId };
      const list = roomsByTenant.get(record.key.tenantId) ?? [];
      list.splice(
        firstPast(list, (room) => byCreation(room.key, key) > 0),
        0,
        { key, record },
      );
      roomsByTenant.set(record.key.tenantId, list);
    }
    record.state = next.state;
    record.lastHash = next.lastHash;
    record.createdPosition = next.createdPosition;
    for (const change of batch.roster) {
      const seq = change.version;
      if (change.kind === 'clear') {
        record.roster = new Map();
        record.rosterSeqs = [];
      } else if (change.kind === 'add') {
        record.roster.set(change.participant, { role: change.role, seq });
        record.rosterSeqs.push(seq);
      } else if (change.kind === 'changeRole') {
        const entry = record.roster.get(change.participant);
        if (entry !== undefined) record.roster.set(change.participant, { ...entry, role: change.role });
      } else {
        const entry = record.roster.get(change.participant);
        if (entry === undefined) continue;
        record.roster.delete(change.participant);
        record.rosterSeqs.splice(firstPast(record.rosterSeqs, (seq) => seq > entry.seq) - 1, 1);
      }
    }
    for (const mark of batch.requests) {
      const key = `${record.key.tenantId}\u0000${mark.requestId}`;
      requests.set(key, recordRequest(requests.get(key), record.key, mark));
    }
  }

  /** Rooms whose call the scheduler ends at `validUntil`, earliest first. */
  function expiringCalls(): { stream: StreamKey; validUntil: string }[] {
    const found: { stream: StreamKey; validUntil: string }[] = [];
    for (const record of streams.values()) {
      const state = record.state;
      if (state.status !== 'active' || state.room.expiryPolicy !== 'endCall' || state.room.call === null) continue;
      found.push({ stream: record.key as StreamKey, validUntil: state.room.validUntil });
    }
    return found.sort((a, b) => byText(a.validUntil, b.validUntil) || byText(a.stream.roomId, b.stream.roomId));
  }

  /** The head of `record` as it stood at `version`, before the run about to be projected. */
  const headOf = (record: StreamRecord, version: number): StreamHead => ({
    version,
    lastHash: record.lastHash,
    state: record.state,
    createdPosition: record.createdPosition,
  });

  function streamRecord(stream: LogStreamKey): StreamRecord {
    const key = keyOf(stream);
    let record = streams.get(key);
    if (record === undefined) {
      record = {
        key: { tenantId: stream.tenantId, roomId: stream.roomId },
        positions: [],
        state: EMPTY_HEAD.state,
        lastHash: GENESIS_HASH,
        createdPosition: null,
        roster: new Map(),
        rosterSeqs: [],
      };
      streams.set(key, record);
    }
    return record;
  }

  /**
   * Up to `limit` entries of `sorted` (ascending by `compare` of their keys) past `after` in listing
   * order, with the items `pick` finds for them; a binary search finds where to start.
   */
  function scan<T, K, I>(
    sorted: readonly T[],
    keyOf: (entry: T) => K,
    compare: (a: K, b: K) => number,
    keyset: { readonly after: K | null; readonly pageSize: number },
    descending: boolean,
    pick: (entry: T) => I | null,
  ) {
    const { after, pageSize } = keyset;
    const rows: { key: K; item: I }[] = [];
    const start =
      after === null
        ? descending
          ? sorted.length - 1
          : 0
        : descending
          ? firstPast(sorted, (entry) => compare(keyOf(entry), after) >= 0) - 1
          : firstPast(sorted, (entry) => compare(keyOf(entry), after) > 0);
    for (let index = start; index >= 0 && index < sorted.length && rows.length <= pageSize; index += descending ? -1 : 1) {
      const entry = sorted[index] as T;
      const item = pick(entry);
      if (item !== null) rows.push({ key: keyOf(entry), item });
    }
    return rows;
  }

  const store: EventStore = {
    append(stream, events, expected: ExpectedVersion) {
      if (closed) return errAsync(storeFailure('The memory store is closed.'));
      // Read without creating: a refused append must leave no trace, not even an empty stream record.
      const version = streams.get(keyOf(stream))?.positions.length ?? 0;
      const replay = matchStoredBatch(
        stream,
        events,
        events.map((event) => {
          const position = eventPositions.get(event.eventId);
          return position === undefined ? undefined : log[position - 1];
        }),
      );
      if (replay.isErr()) return errAsync(replay.error);
      if (replay.value !== null) return okAsync({ stream, version, events: persisted([...replay.value]), replayed: true });
      const checked = checkExpectedVersion(stream, expected, version);
      if (checked.isErr()) return errAsync(checked.error);
      if (events.length === 0) return okAsync({ stream, version, events: [], replayed: false });
      const record = streamRecord(stream);
      const head = headOf(record, version);
      const chained = chain(stream, head.lastHash, version + 1, events);
      const firstPosition = log.length + 1;
      const stored = chained.map((event, index): StoredEvent => persisted(storedEvent(event, firstPosition + index)));
      for (const event of stored) {
        log.push(event);
        eventPositions.set(event.eventId, event.position);
        record.positions.push(event.position);
      }
      apply(record, head, projectBatch(head, stored), firstPosition);
      return okAsync({ stream, version: record.positions.length, events: persisted(stored), replayed: false });
    },

    readStream(stream, range = {}) {
      return guard(() => {
        const positions = streams.get(keyOf(stream))?.positions ?? [];
        const bounds = versionBounds(range);
        if (bounds === null) return [];
        return persisted(positions.slice(bounds.from - 1, bounds.to).map((position) => log[position - 1] as StoredEvent));
      });
    },

    headPosition() {
      return guard(() => log.length);
    },

    readAll({ afterPosition, limit }) {
      return guard(() => persisted(log.slice(Math.max(0, afterPosition), Math.max(0, afterPosition) + Math.max(0, limit))));
    },

    loadStream(stream) {
      return guard(() => {
        const record = streams.get(keyOf(stream));
        return record === undefined || record.positions.length === 0 ? null : { state: record.state, version: record.positions.length };
      });
    },

    loadRoom(stream) {
      return store.loadStream(stream).map(loadedRoom);
    },

    getRoom(stream) {
      return guard((): RoomSummary | null => {
        const state = streams.get(keyOf(stream))?.state;
        return state?.status === 'active' ? summaryOf(stream, state.room) : null;
      });
    },

    listRooms({ tenantId, ...page }) {
      const rooms = roomsByTenant.get(tenantId) ?? [];
      return keysetPage(
        roomListKeys,
        page,
        (keyset) =>
          guard(() =>
            scan(
              rooms,
              (room) => room.key,
              byCreation,
              keyset,
              true,
              ({ key, record }) => (record.state.status === 'active' ? summaryOf({ tenantId, roomId: key.roomId }, record.state.room) : null),
            ),
          ),
        (row) => row.key,
        (row) => row.item,
      );
    },

    listParticipants(stream, page = {}) {
      const record = streams.get(keyOf(stream));
      return keysetPage(
        rosterKeys,
        page,
        (keyset) =>
          guard(() => {
            const bySeq = new Map<number, ParticipantRecord>();
            for (const [participantId, entry] of record?.roster ?? []) bySeq.set(entry.seq, { participantId, role: entry.role });
            return scan(
              record?.rosterSeqs ?? [],
              (seq) => seq,
              byNumber,
              keyset,
              false,
              (seq) => bySeq.get(seq) ?? null,
            );
          }),
        (row) => row.key,
        (row) => row.item,
      );
    },

    findByRequestId(tenantId, requestId) {
      return guard(() => requests.get(`${tenantId}\u0000${requestId}`) ?? null);
    },

    roomsOfParticipant(tenantId, participant) {
      return guard(() =>
        [...streams.values()]
          .filter((record) => record.key.tenantId === tenantId && record.roster.has(participant))
          .map((record) => record.key.roomId as RoomId),
      );
    },

    callsToExpire(now, limit) {
      return guard(() =>
        expiringCalls()
          .filter(({ validUntil }) => validUntil <= now)
          .slice(0, Math.max(0, limit))
          .map(({ stream }) => stream),
      );
    },

    nextCallExpiry() {
      return guard(() => expiringCalls()[0]?.validUntil ?? null);
    },

    checkpoints: {
      get: (name) => guard(() => checkpointValues.get(name) ?? null),
      set: (name, position) => guard(() => void checkpointValues.set(name, position)),
    },

    signingKeys: {
      list: () => guard(() => persisted(keys)),
      add: (key) => guard(() => void keys.push(persisted(key))),
    },

    leases: {
      acquire: (name, holder, now, until) =>
        guard(() => {
          const current = leaseHolders.get(name);
          if (current !== undefined && current.holder !== holder && current.until > now) return false;
          leaseHolders.set(name, { holder, until });
          return true;
        }),
      release: (name, holder) =>
        guard(() => {
          if (leaseHolders.get(name)?.holder === holder) leaseHolders.delete(name);
        }),
    },

    eventSubscriptions: {
      put: (subscription) =>
        guard(() => {
          const list = subscriptionsByTenant.get(subscription.tenantId) ?? [];
          const index = firstPast(list, (held) => byText(held.name, subscription.name) >= 0);
          const held = list[index];
          if (held?.name === subscription.name) {
            list[index] = persisted({ ...subscription, createdAt: held.createdAt, startAfter: held.startAfter });
            return 'replaced' as const;
          }
          list.splice(index, 0, persisted(subscription));
          subscriptionsByTenant.set(subscription.tenantId, list);
          return 'created' as const;
        }),
      get: (tenantId, name) => guard(() => persisted(subscriptionsByTenant.get(tenantId)?.find((held) => held.name === name) ?? null)),
      list: (tenantId, page = {}) =>
        keysetPage(
          eventSubscriptionKeys,
          page,
          (keyset) =>
            guard(() =>
              scan(
                subscriptionsByTenant.get(tenantId) ?? [],
                (held) => held.name,
                byText,
                keyset,
                false,
                (held) => persisted(held),
              ),
            ),
          (row) => row.key,
          (row) => row.item,
        ),
      all: () => guard(() => persisted([...subscriptionsByTenant.entries()].sort(([a], [b]) => byText(a, b)).flatMap(([, list]) => list))),
      remove: (tenantId, name) =>
        guard(() => {
          const list = subscriptionsByTenant.get(tenantId) ?? [];
          const index = list.findIndex((held) => held.name === name);
          lettersBySubscription.delete(lettersKey(tenantId, name));
          if (index < 0) return false;
          list.splice(index, 1);
          return true;
        }),
      addDeadLetter: (letter) =>
        guard(() => {
          const key = lettersKey(letter.tenantId, letter.subscription);
          const letters = lettersBySubscription.get(key) ?? [];
          const earlier = letters.findIndex((held) => held.eventId === letter.eventId);
          if (earlier >= 0) letters.splice(earlier, 1);
          letters.splice(
            firstPast(letters, (held) => byLetterKey(held, letter) > 0),
            0,
            persisted(letter),
          );
          lettersBySubscription.set(key, letters);
        }),
      deadLetters: (tenantId, name, page = {}) =>
        keysetPage(
          deadLetterKeys,
          page,
          (keyset) =>
            guard(() =>
              scan(
                lettersBySubscription.get(lettersKey(tenantId, name)) ?? [],
                (letter): DeadLetterKey => ({ position: letter.position, eventId: letter.eventId }),
                byLetterKey,
                keyset,
                false,
                (letter) => persisted(letter),
              ),
            ),
          (row) => row.key,
          (row) => row.item,
        ),
      queueRedelivery: (tenantId, name) =>
        guard(() => {
          const letters = lettersBySubscription.get(lettersKey(tenantId, name)) ?? [];
          letters.forEach((letter, index) => {
            letters[index] = { ...letter, queued: true };
          });
          return letters.length;
        }),
      queuedDeadLetters: (limit) =>
        guard(() =>
          persisted(
            [...lettersBySubscription.values()]
              .flat()
              .filter((letter) => letter.queued)
              .sort(byQueueOrder)
              .slice(0, Math.max(0, limit)),
          ),
        ),
      removeDeadLetter: (tenantId, name, eventId) =>
        guard(() => {
          const letters = lettersBySubscription.get(lettersKey(tenantId, name)) ?? [];
          const index = letters.findIndex((letter) => letter.eventId === eventId);
          if (index >= 0) letters.splice(index, 1);
        }),
    },

    rebuildProjections(onProgress?: (progress: RebuildProgress) => void) {
      return guard(() => {
        roomsByTenant.clear();
        requests.clear();
        for (const record of streams.values()) {
          record.state = EMPTY_HEAD.state;
          record.lastHash = GENESIS_HASH;
          record.createdPosition = null;
          record.roster = new Map();
          record.rosterSeqs = [];
        }
        log.forEach((event, index) => {
          const record = streamRecord(event as StoredEvent & LogStreamKey);
          const head = headOf(record, event.version - 1);
          apply(record, head, projectBatch(head, [event]), event.position);
          if ((index + 1) % 10_000 === 0 || index === log.length - 1) onProgress?.({ processed: index + 1, total: log.length });
        });
        return { events: log.length, rooms: streams.size };
      });
    },

    async close() {
      closed = true;
    },
  };
  return store;
}
