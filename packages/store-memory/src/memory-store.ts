import {
  chain,
  type EventStore,
  type ExpectedVersion,
  GENESIS_HASH,
  type ParticipantId,
  type ParticipantRecord,
  type RebuildProgress,
  type RequestRecord,
  type Role,
  type RoomState,
  type RoomSummary,
  type StoredEvent,
  type StreamKey,
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
  matchStoredBatch,
  projectBatch,
  recordRequest,
  type StreamHead,
} from '@usher/core/store-kit';
import { errAsync, okAsync } from 'neverthrow';

interface RosterEntry {
  readonly role: Role;
  /** Position of the event that added the participant: the keyset of the roster listing. */
  readonly seq: number;
}

interface StreamRecord {
  readonly key: StreamKey;
  readonly positions: number[];
  state: RoomState;
  lastHash: string;
  /** Position at which the room came into existence; null until it has. */
  createdPosition: number | null;
  roster: Map<ParticipantId, RosterEntry>;
  rosterSeqs: number[];
}

const keyOf = (stream: StreamKey): string => `${stream.tenantId}\u0000${stream.roomId}`;

/** Index of the first element of ascending `sorted` that is greater than `value`. */
function upperBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

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
  const roomsByTenant = new Map<TenantId, number[]>();
  const roomAt = new Map<number, StreamRecord>();
  const requests = new Map<string, RequestRecord>();
  const checkpointValues = new Map<string, number>();
  let closed = false;

  const guard = <T>(run: () => T) => (closed ? errAsync(storeFailure('The memory store is closed.')) : okAsync<T, never>(run()));

  /** Applies the projection of a run of `record`'s events, the first of which is at `firstPosition`. */
  function apply(record: StreamRecord, head: StreamHead, batch: BatchProjection, firstPosition: number): void {
    const next = headAfter(head, batch, (index) => firstPosition + index);
    if (next.createdPosition !== null && next.createdPosition !== head.createdPosition) {
      roomAt.set(next.createdPosition, record);
      const list = roomsByTenant.get(record.key.tenantId) ?? [];
      list.push(next.createdPosition);
      roomsByTenant.set(record.key.tenantId, list);
    }
    record.state = next.state;
    record.lastHash = next.lastHash;
    record.createdPosition = next.createdPosition;
    for (const change of batch.roster) {
      const seq = firstPosition + change.index;
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
        record.rosterSeqs.splice(upperBound(record.rosterSeqs, entry.seq) - 1, 1);
      }
    }
    for (const mark of batch.requests) {
      const key = `${record.key.tenantId}\u0000${mark.requestId}`;
      requests.set(key, recordRequest(requests.get(key), record.key, mark));
    }
  }

  /** The head of `record` as it stood at `version`, before the run about to be projected. */
  const headOf = (record: StreamRecord, version: number): StreamHead => ({
    version,
    lastHash: record.lastHash,
    state: record.state,
    createdPosition: record.createdPosition,
  });

  function streamRecord(stream: StreamKey): StreamRecord {
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

  /** Up to `limit` keys of ascending `sorted` past `after` (before it, `descending`), with the items `pick` finds for them. */
  function scan<T>(sorted: readonly number[], after: number | null, limit: number, descending: boolean, pick: (key: number) => T | null) {
    const rows: { key: number; item: T }[] = [];
    const step = descending ? -1 : 1;
    let index = descending
      ? after === null
        ? sorted.length - 1
        : upperBound(sorted, after - 1) - 1
      : after === null
        ? 0
        : upperBound(sorted, after);
    for (; index >= 0 && index < sorted.length && rows.length < limit; index += step) {
      const key = sorted[index] as number;
      const item = pick(key);
      if (item !== null) rows.push({ key, item });
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
      const stored = chained.map((event, index): StoredEvent => persisted({ ...event, position: firstPosition + index }));
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
        const from = Math.max(1, range.fromVersion ?? 1);
        const to = Math.min(positions.length, range.toVersion ?? positions.length);
        return persisted(positions.slice(from - 1, Math.max(from - 1, to)).map((position) => log[position - 1] as StoredEvent));
      });
    },

    readAll({ afterPosition, limit }) {
      return guard(() => persisted(log.slice(Math.max(0, afterPosition), Math.max(0, afterPosition) + Math.max(0, limit))));
    },

    loadRoom(stream) {
      return guard(() => {
        const record = streams.get(keyOf(stream));
        return record === undefined || record.positions.length === 0 ? null : { state: record.state, version: record.positions.length };
      });
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
        page,
        ({ after, pageSize }) =>
          guard(() =>
            scan(rooms, after, pageSize + 1, true, (position) => {
              const record = roomAt.get(position);
              return record?.state.status === 'active' ? summaryOf(record.key, record.state.room) : null;
            }),
          ),
        (row) => row.key,
        (row) => row.item,
      );
    },

    listParticipants(stream, page = {}) {
      const record = streams.get(keyOf(stream));
      return keysetPage(
        page,
        ({ after, pageSize }) =>
          guard(() => {
            const bySeq = new Map<number, ParticipantRecord>();
            for (const [participantId, entry] of record?.roster ?? []) bySeq.set(entry.seq, { participantId, role: entry.role });
            return scan(record?.rosterSeqs ?? [], after, pageSize + 1, false, (seq) => bySeq.get(seq) ?? null);
          }),
        (row) => row.key,
        (row) => row.item,
      );
    },

    findByRequestId(tenantId, requestId) {
      return guard(() => requests.get(`${tenantId}\u0000${requestId}`) ?? null);
    },

    checkpoints: {
      get: (name) => guard(() => checkpointValues.get(name) ?? null),
      set: (name, position) => guard(() => void checkpointValues.set(name, position)),
    },

    rebuildProjections(onProgress?: (progress: RebuildProgress) => void) {
      return guard(() => {
        roomsByTenant.clear();
        roomAt.clear();
        requests.clear();
        for (const record of streams.values()) {
          record.state = EMPTY_HEAD.state;
          record.lastHash = GENESIS_HASH;
          record.createdPosition = null;
          record.roster = new Map();
          record.rosterSeqs = [];
        }
        log.forEach((event, index) => {
          const record = streamRecord(event as StoredEvent & StreamKey);
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
