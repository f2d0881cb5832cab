import type { ResultAsync } from 'neverthrow';
import type { NewEvent, StoredEvent } from './envelope.js';
import type { ConcurrencyError, StoreError } from './errors.js';
import type { ExpectedVersion } from './expected-version.js';
import type { EventId, ParticipantId, RoomId, StreamKey, TenantId } from './ids.js';
import type { Role } from './roles.js';
import type { RoomState } from './state.js';
import type { ValidationError } from './validation-error.js';

/**
 * What long work looks at to know whether it is still wanted: an `AbortSignal` is one. Kept this
 * small so that the core's types need no particular runtime's.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  eventId(): EventId;
  /** A fresh, ACS-shaped room id; collisions are handled by the service. */
  roomId(): RoomId;
}

export interface AppendResult {
  readonly stream: StreamKey;
  /** The stream's version after the append (unchanged for an empty append). */
  readonly version: number;
  /** The events as stored; on an idempotent re-append, the ones stored the first time. */
  readonly events: readonly StoredEvent[];
  /** True when every event id was already stored and nothing new was written. */
  readonly replayed: boolean;
}

export interface LoadedRoom {
  readonly state: RoomState;
  readonly version: number;
}

/** What the REST API shows of a room; deleted rooms have none. */
export interface RoomSummary {
  readonly tenantId: TenantId;
  readonly roomId: RoomId;
  readonly createdAt: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly pstnDialOutEnabled: boolean;
}

export interface ParticipantRecord {
  readonly participantId: ParticipantId;
  readonly role: Role;
}

export interface PageRequest {
  /** An opaque token from a previous page's `nextPageToken`. */
  readonly pageToken?: string | undefined;
  readonly pageSize?: number | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** URL-safe (`[A-Za-z0-9_-]`); null on the last page. */
  readonly nextPageToken: string | null;
}

/** The events one request (by its `meta.requestId`) appended first. */
export interface RequestRecord {
  readonly tenantId: TenantId;
  readonly requestId: string;
  readonly roomId: RoomId;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly at: string;
}

export interface RebuildProgress {
  readonly processed: number;
  readonly total: number;
}

export interface RebuildReport {
  readonly events: number;
  readonly rooms: number;
}

export interface Checkpoints {
  get(name: string): ResultAsync<number | null, StoreError>;
  set(name: string, position: number): ResultAsync<void, StoreError>;
}

export interface ReadRange {
  readonly fromVersion?: number | undefined;
  readonly toVersion?: number | undefined;
}

export interface EventStore {
  /**
   * Atomically appends to one stream, chaining hashes and updating every projection in the same transaction.
   * `decided` is the room's state after these events as the decider computed it on the head the caller
   * loaded; with an exact `expected` (a version, or `noStream`) a store may keep it instead of folding the
   * events again. Without it, or with `any` / `exists`, the store folds.
   */
  append(
    stream: StreamKey,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
    decided?: RoomState,
  ): ResultAsync<AppendResult, ConcurrencyError | StoreError>;
  readStream(stream: StreamKey, range?: ReadRange): ResultAsync<StoredEvent[], StoreError>;
  /** Events in position order after `afterPosition`; never skips an event that a later read could still see appear. */
  readAll(from: { readonly afterPosition: number; readonly limit: number }): ResultAsync<StoredEvent[], StoreError>;
  /** O(1) in the length of the room's history: reads the folded state kept by the projection. */
  loadRoom(stream: StreamKey): ResultAsync<LoadedRoom | null, StoreError>;
  getRoom(stream: StreamKey): ResultAsync<RoomSummary | null, StoreError>;
  /** Newest rooms first, keyset-paged; deleted rooms are not listed. */
  listRooms(query: { readonly tenantId: TenantId } & PageRequest): ResultAsync<Page<RoomSummary>, StoreError | ValidationError>;
  /** The roster in the order participants were first added, keyset-paged. */
  listParticipants(stream: StreamKey, page?: PageRequest): ResultAsync<Page<ParticipantRecord>, StoreError | ValidationError>;
  findByRequestId(tenantId: TenantId, requestId: string): ResultAsync<RequestRecord | null, StoreError>;
  readonly checkpoints: Checkpoints;
  /** Drops and rebuilds every projection from the log. */
  rebuildProjections(onProgress?: (progress: RebuildProgress) => void): ResultAsync<RebuildReport, StoreError>;
  close(): Promise<void>;
}
