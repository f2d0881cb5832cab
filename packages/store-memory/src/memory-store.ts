import {
  chain,
  checkExpectedVersion,
  type EventStore,
  type ExpectedVersion,
  evolve,
  GENESIS_HASH,
  matchStoredBatch,
  type Page,
  type PageRequest,
  type ParticipantId,
  type ParticipantRecord,
  parsePageRequest,
  type RebuildProgress,
  type RequestRecord,
  type Role,
  type RoomId,
  type RoomState,
  type RoomSummary,
  rosterChange,
  type StoredEvent,
  type StreamKey,
  storeFailure,
  summaryOf,
  type TenantId,
  toPage,
} from '@usher/core';
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
 * this one (the contract suite checks it, with this store as the model).
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

  function project(record: StreamRecord, event: StoredEvent): void {
    const wasActive = record.state.status === 'active';
    record.state = evolve(record.state, event);
    record.lastHash = event.hash;
    if (!wasActive && record.state.status === 'active' && record.createdPosition === null) {
      record.createdPosition = event.position;
      roomAt.set(event.position, record);
      const list = roomsByTenant.get(record.key.tenantId) ?? [];
      list.push(event.position);
      roomsByTenant.set(record.key.tenantId, list);
    }
    const change = rosterChange(event);
    if (change === null) return;
    if (change.kind === 'clear') {
      record.roster = new Map();
      record.rosterSeqs = [];
    } else if (change.kind === 'add') {
      record.roster.set(change.participant, { role: change.role, seq: event.position });
      record.rosterSeqs.push(event.position);
    } else if (change.kind === 'changeRole') {
      const entry = record.roster.get(change.participant);
      if (entry !== undefined) record.roster.set(change.participant, { ...entry, role: change.role });
    } else {
      const entry = record.roster.get(change.participant);
      if (entry === undefined) return;
      record.roster.delete(change.participant);
      record.rosterSeqs.splice(upperBound(record.rosterSeqs, entry.seq) - 1, 1);
    }
  }

  /** A request id names the contiguous run of events it first appended to one room; later runs elsewhere do not move it. */
  function recordRequest(event: StoredEvent): void {
    const requestId = event.meta.requestId;
    if (requestId === undefined) return;
    const key = `${event.tenantId}\u0000${requestId}`;
    const existing = requests.get(key);
    if (existing === undefined) {
      requests.set(key, {
        tenantId: event.tenantId as TenantId,
        requestId,
        roomId: event.roomId as RoomId,
        fromVersion: event.version,
        toVersion: event.version,
        at: event.meta.at,
      });
    } else if (existing.roomId === event.roomId && existing.toVersion === event.version - 1) {
      requests.set(key, { ...existing, toVersion: event.version });
    }
  }

  function streamRecord(stream: StreamKey): StreamRecord {
    const key = keyOf(stream);
    let record = streams.get(key);
    if (record === undefined) {
      record = {
        key: { tenantId: stream.tenantId, roomId: stream.roomId },
        positions: [],
        state: { status: 'absent' },
        lastHash: GENESIS_HASH,
        createdPosition: null,
        roster: new Map(),
        rosterSeqs: [],
      };
      streams.set(key, record);
    }
    return record;
  }

  function listPage<T>(sorted: readonly number[], request: PageRequest, descending: boolean, pick: (key: number) => T | null) {
    return parsePageRequest(request).map(({ after, pageSize }): Page<T> => {
      const rows: { key: number; item: T }[] = [];
      if (descending) {
        let index = after === null ? sorted.length - 1 : upperBound(sorted, after - 1) - 1;
        for (; index >= 0 && rows.length <= pageSize; index -= 1) {
          const key = sorted[index] as number;
          const item = pick(key);
          if (item !== null) rows.push({ key, item });
        }
      } else {
        for (let index = after === null ? 0 : upperBound(sorted, after); index < sorted.length && rows.length <= pageSize; index += 1) {
          const key = sorted[index] as number;
          const item = pick(key);
          if (item !== null) rows.push({ key, item });
        }
      }
      const page = toPage(rows, pageSize, (row) => row.key);
      return { items: page.items.map((row) => row.item), nextPageToken: page.nextPageToken };
    });
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
      const chained = chain(stream, record.lastHash, record.positions.length + 1, events);
      const firstPosition = log.length + 1;
      const stored = chained.map((event, index): StoredEvent => persisted({ ...event, position: firstPosition + index }));
      for (const event of stored) {
        log.push(event);
        eventPositions.set(event.eventId, event.position);
        record.positions.push(event.position);
        project(record, event);
        recordRequest(event);
      }
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
      if (closed) return errAsync(storeFailure('The memory store is closed.'));
      const result = listPage(roomsByTenant.get(tenantId) ?? [], page, true, (position) => {
        const record = roomAt.get(position);
        return record?.state.status === 'active' ? summaryOf(record.key, record.state.room) : null;
      });
      return result.isOk() ? okAsync(result.value) : errAsync(result.error);
    },

    listParticipants(stream, page = {}) {
      if (closed) return errAsync(storeFailure('The memory store is closed.'));
      const record = streams.get(keyOf(stream));
      const bySeq = new Map<number, ParticipantRecord>();
      for (const [participantId, entry] of record?.roster ?? []) bySeq.set(entry.seq, { participantId, role: entry.role });
      const result = listPage(record?.rosterSeqs ?? [], page, false, (seq) => bySeq.get(seq) ?? null);
      return result.isOk() ? okAsync(result.value) : errAsync(result.error);
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
          record.state = { status: 'absent' };
          record.lastHash = GENESIS_HASH;
          record.createdPosition = null;
          record.roster = new Map();
          record.rosterSeqs = [];
        }
        log.forEach((event, index) => {
          project(streamRecord(event as StoredEvent & StreamKey), event);
          recordRequest(event);
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
