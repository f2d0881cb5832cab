import type { ResultAsync } from 'neverthrow';
import type { NewEvent, StoredEvent } from './envelope.js';
import type { AccessError, ConcurrencyError, StoreError } from './errors.js';
import type { ExpectedVersion } from './expected-version.js';
import type { AccessTokenClaims } from './identity.js';
import type { EventId, LogStreamKey, ParticipantId, RoomId, StreamKey, TenantId } from './ids.js';
import type { Role } from './roles.js';
import type { RoomState } from './state.js';
import type { StreamState } from './stream-state.js';
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
  /** A random GUID: the user part of a new identity's id, a token's id. */
  guid(): string;
  /** A fresh, ACS-shaped room id; collisions are handled by the service. */
  roomId(): RoomId;
}

export interface AppendResult {
  readonly stream: LogStreamKey;
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

/** Any stream's folded state and version. */
export interface LoadedStream {
  readonly state: StreamState;
  readonly version: number;
}

export interface LoadStreamOptions {
  /**
   * The load of a command about to append with the loaded version expected: a store may answer the head
   * this process last saw without asking whether another process has moved the stream since, because
   * the append checks the version in its transaction and refuses a stale one as a concurrency conflict
   * (a retry then loads without this). Reads that are answered to a caller never set it.
   */
  readonly checkedByAppend?: boolean | undefined;
}

/** A JSON Web Key Set: the public keys a token may be signed with (served at /.well-known/jwks.json). */
export interface JsonWebKeySet {
  readonly keys: readonly Readonly<Record<string, unknown>>[];
}

/** Signs and checks access tokens. The keys live in the store (`SigningKeys`), never in the log. */
export interface AccessTokens {
  sign(claims: AccessTokenClaims): ResultAsync<string, StoreError>;
  /** The claims of a token whose signature, algorithm and expiry check out at `now`. */
  verify(token: string, now: Date): ResultAsync<AccessTokenClaims, AccessError | StoreError>;
  publicKeys(): ResultAsync<JsonWebKeySet, StoreError>;
}

/** A key pair tokens are signed with, as JWKs; kept in the store, never in the event log. */
/** When a command is decided again after another writer appended to its stream first. */
export interface RetryPolicy {
  /** The schedule of one command: each call of `next` says how long to wait before deciding again, or null to give up. */
  begin(): { next(): number | null };
}

export interface SigningKey {
  readonly kid: string;
  readonly createdAt: string;
  readonly privateJwk: string;
  readonly publicJwk: string;
}

export interface SigningKeys {
  /** Oldest first. */
  list(): ResultAsync<readonly SigningKey[], StoreError>;
  add(key: SigningKey): ResultAsync<void, StoreError>;
}

/** A named lease in the database: one holder at a time, until it lapses or is handed back. */
export interface Leases {
  /** Takes or renews `name` for `holder` until `until`, when it is free, lapsed (`now` is past its end) or already `holder`'s; answers whether `holder` has it. */
  acquire(name: string, holder: string, now: string, until: string): ResultAsync<boolean, StoreError>;
  release(name: string, holder: string): ResultAsync<void, StoreError>;
}

/** How a subscription's events are wrapped: Event Grid's own schema (a JSON array) or CloudEvents 1.0 (one object). */
export type EventDeliverySchema = 'EventGridSchema' | 'CloudEventSchemaV1_0';

/** A tenant's webhook: where its server events go. Kept in the store beside the log, never in it (it holds a secret). */
export interface EventSubscription {
  readonly tenantId: TenantId;
  /** Unique within the tenant: 3–64 of `[A-Za-z0-9-]`, as Event Grid names are. */
  readonly name: string;
  readonly endpointUrl: string;
  /** The event types delivered; null for every type. */
  readonly includedEventTypes: readonly string[] | null;
  readonly eventDeliverySchema: EventDeliverySchema;
  /** Standard Webhooks secret (`whsec_` + base64) deliveries are signed with; null for none. */
  readonly secret: string | null;
  readonly createdAt: string;
  /** The log position the subscription began at: events after it are delivered. Kept when it is replaced. */
  readonly startAfter: number;
}

/** An event a subscription gave up delivering, with why; listed, and redelivered on request. */
export interface DeadLetter {
  readonly tenantId: TenantId;
  readonly subscription: string;
  /** Of the server event: the same on every attempt and every node. */
  readonly eventId: string;
  /** The log position of the event it came from: the order letters are listed and redelivered in. */
  readonly position: number;
  readonly eventType: string;
  /** The server event (its Event Grid form), as it was to be delivered. */
  readonly event: Readonly<Record<string, unknown>>;
  readonly attempts: number;
  readonly lastError: string;
  readonly deadLetteredAt: string;
  /** Whether a redelivery was asked for and has not happened yet. */
  readonly queued: boolean;
}

export interface EventSubscriptions {
  /** Creates or replaces the tenant's subscription of that name; a replaced one keeps its `createdAt` and `startAfter`. */
  put(subscription: EventSubscription): ResultAsync<'created' | 'replaced', StoreError>;
  get(tenantId: TenantId, name: string): ResultAsync<EventSubscription | null, StoreError>;
  /** In name order, keyset-paged. */
  list(tenantId: TenantId, page?: PageRequest): ResultAsync<Page<EventSubscription>, StoreError | ValidationError>;
  /** Every tenant's subscriptions: what a dispatcher delivers. */
  all(): ResultAsync<readonly EventSubscription[], StoreError>;
  /** Removes it and its dead letters; answers whether it existed. */
  remove(tenantId: TenantId, name: string): ResultAsync<boolean, StoreError>;
  /** Records a letter (again, replacing an earlier one for the same event). */
  addDeadLetter(letter: DeadLetter): ResultAsync<void, StoreError>;
  /** A subscription's letters in position order, keyset-paged. */
  deadLetters(tenantId: TenantId, name: string, page?: PageRequest): ResultAsync<Page<DeadLetter>, StoreError | ValidationError>;
  /** Marks every letter of the subscription as queued for redelivery; answers how many. */
  queueRedelivery(tenantId: TenantId, name: string): ResultAsync<number, StoreError>;
  /** Queued letters of every subscription, in position order, at most `limit`. */
  queuedDeadLetters(limit: number): ResultAsync<readonly DeadLetter[], StoreError>;
  /** Removes one letter (delivered at last). */
  removeDeadLetter(tenantId: TenantId, name: string, eventId: string): ResultAsync<void, StoreError>;
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
    stream: LogStreamKey,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
    decided?: StreamState,
  ): ResultAsync<AppendResult, ConcurrencyError | StoreError>;
  readStream(stream: LogStreamKey, range?: ReadRange): ResultAsync<StoredEvent[], StoreError>;
  /** Events in position order after `afterPosition`; never skips an event that a later read could still see appear. */
  readAll(from: { readonly afterPosition: number; readonly limit: number }): ResultAsync<StoredEvent[], StoreError>;
  /** O(1) in the length of the room's history: reads the folded state kept by the projection. */
  loadRoom(stream: StreamKey): ResultAsync<LoadedRoom | null, StoreError>;
  /** Any stream's folded state (a room's or an identity's), as `loadRoom`. */
  loadStream(stream: LogStreamKey, options?: LoadStreamOptions): ResultAsync<LoadedStream | null, StoreError>;
  getRoom(stream: StreamKey): ResultAsync<RoomSummary | null, StoreError>;
  /** Newest rooms first, keyset-paged; deleted rooms are not listed. */
  listRooms(query: { readonly tenantId: TenantId } & PageRequest): ResultAsync<Page<RoomSummary>, StoreError | ValidationError>;
  /** The roster in the order participants were first added, keyset-paged. */
  listParticipants(stream: StreamKey, page?: PageRequest): ResultAsync<Page<ParticipantRecord>, StoreError | ValidationError>;
  findByRequestId(tenantId: TenantId, requestId: string): ResultAsync<RequestRecord | null, StoreError>;
  /** The rooms of a tenant whose roster holds `participant`. */
  roomsOfParticipant(tenantId: TenantId, participant: ParticipantId): ResultAsync<readonly RoomId[], StoreError>;
  /** Rooms whose expiry policy is `endCall`, whose call is on and whose window closed at or before `now` (oldest first, at most `limit`). */
  callsToExpire(now: string, limit: number): ResultAsync<readonly StreamKey[], StoreError>;
  /** The earliest `validUntil` of the rooms `callsToExpire` would find once it has passed; null when there are none. */
  nextCallExpiry(): ResultAsync<string | null, StoreError>;
  readonly checkpoints: Checkpoints;
  readonly signingKeys: SigningKeys;
  readonly leases: Leases;
  readonly eventSubscriptions: EventSubscriptions;
  /** The position of the last event in the log; 0 when it is empty. */
  headPosition(): ResultAsync<number, StoreError>;
  /** Drops and rebuilds every projection from the log. */
  rebuildProjections(onProgress?: (progress: RebuildProgress) => void): ResultAsync<RebuildReport, StoreError>;
  close(): Promise<void>;
}
