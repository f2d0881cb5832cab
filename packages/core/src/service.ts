import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { type RoomAtInstant, history as readHistory, roomAt as replayRoomAt, type TimelineEntry } from './audit/history.js';
import type { CommandOptions, CommandResult } from './command-result.js';
import type { ParticipantEntry, RoomCommand, VoluntaryLeaveReason } from './commands.js';
import { decideTransition } from './decide.js';
import { ROOM_NOT_FOUND, type UsherError } from './errors.js';
import { eventSubscriptionOperations, type WebhookEndpoints } from './event-subscription-service.js';
import { identityOperations } from './identity-service.js';
import type { ParticipantId, PhoneNumber, StreamKey, TenantId } from './ids.js';
import { type Limits, withDefaultLimits } from './limits.js';
import { historyKeys, parsePageRequest, toPage } from './paging.js';
import type {
  AbortSignalLike,
  AccessTokens,
  Clock,
  EventStore,
  IdGenerator,
  LoadedRoom,
  Page,
  PageRequest,
  ParticipantRecord,
  RetryPolicy,
  RoomSummary,
} from './ports.js';
import { createOnce, type RepeatableRequest, type RoomCreatedOnce } from './repeatable-create.js';
import { retryImmediately, streamCommands } from './stream-commands.js';
import { asRoomState, type StreamState } from './stream-state.js';

export const DEFAULT_MAX_RETRIES = 5;

export interface RoomServiceOptions {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly limits?: Partial<Limits> | undefined;
  /** How many times a command is decided again after a concurrent write to the same room (when no `retry` policy is given), and a new room id is drawn after a collision. */
  readonly maxRetries?: number | undefined;
  /**
   * When a command is decided again after another writer appended first. Several processes writing one
   * store (PostgreSQL nodes) want `jitteredRetries()` of `@usher/core/runtime`: waits with full jitter,
   * bounded by a deadline. Default: at once, `maxRetries` times.
   */
  readonly retry?: RetryPolicy | undefined;
  /** Signs and checks identities' access tokens (e.g. `joseAccessTokens` of `@usher/core/runtime`); without it no token is issued. */
  readonly tokens?: AccessTokens | undefined;
  /** Checks a webhook endpoint before a subscription to it is accepted (e.g. `validateEndpoint` of `@usher/core/runtime`); without it no subscription is accepted. */
  readonly webhooks?: WebhookEndpoints | undefined;
}

/** The lease that makes one node of a store the one that ends calls at their rooms' `validUntil`. */
export const CALL_EXPIRY_LEASE = 'call-expiry';

export interface CallExpiryRound {
  /** Whether this holder had the lease: only then did it look for calls to end. */
  readonly held: boolean;
  readonly expired: number;
  /** When the next call is due to end, as far as is known now. */
  readonly next: string | null;
}

export type CreateRoomInput = Omit<RoomCommand & { type: 'CreateRoom' }, 'type' | 'roomId'>;
export type UpdateRoomInput = Omit<RoomCommand & { type: 'UpdateRoom' }, 'type'>;

/** A room as it was at an instant, by replay of its log. */
export interface RoomAtResult extends RoomAtInstant {
  /** The instant asked about (now, when none was given), ISO-8601 UTC. */
  readonly at: string;
}

export function createRoomService(options: RoomServiceOptions) {
  const { store, clock, ids } = options;
  const limits = withDefaultLimits(options.limits);
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;

  const commands = streamCommands({ store, clock, ids, retry: options.retry ?? retryImmediately(maxRetries) });

  /** Decides `command` on the room's current state and appends the outcome, retrying on a concurrent write. */
  function execute(stream: StreamKey, command: RoomCommand, meta: CommandOptions = {}): ResultAsync<CommandResult, UsherError> {
    const decider = (state: StreamState, now: Date) =>
      decideTransition(command, asRoomState(state) ?? { status: 'absent' }, { now, actor: meta.actor ?? 'system', limits });
    // A plain callback rather than ResultAsync's map (an async function per call): every command passes
    // here. Promise.resolve hands back the native promise that ResultAsync's then makes, without a turn.
    const outcome = commands
      .run(stream, decider, meta)
      .then<Result<CommandResult, UsherError>, never>((ran) =>
        ran.map((result): CommandResult => ({ stream, ...result, state: asRoomState(result.state) ?? { status: 'absent' } })),
      );
    return new ResultAsync(Promise.resolve(outcome));
  }

  /** Creates a room under a fresh server-made id; an id that is taken already is replaced by another. */
  function createRoom(tenantId: TenantId, input: CreateRoomInput = {}, meta: CommandOptions = {}): ResultAsync<CommandResult, UsherError> {
    const tryId = (retriesLeft: number): ResultAsync<CommandResult, UsherError> => {
      const roomId = ids.roomId();
      return execute({ tenantId, roomId }, { ...input, type: 'CreateRoom', roomId }, meta).orElse((error) =>
        error.type === 'RoomAlreadyExists' && retriesLeft > 0 ? tryId(retriesLeft - 1) : errAsync(error),
      );
    };
    return tryId(maxRetries);
  }

  /**
   * Creates a room once per request id (ACS's repeatable requests): a repeat within the window answers
   * the room the first one made, also after a restart; a repeat asking for something else is
   * `RepeatedRequestMismatch`; one sent too long after the first is `RepeatabilityWindowPassed`.
   * Copies racing each other create one room.
   */
  function createRoomOnce(
    tenantId: TenantId,
    request: RepeatableRequest,
    input: CreateRoomInput = {},
    meta: CommandOptions = {},
  ): ResultAsync<RoomCreatedOnce, UsherError> {
    const recorded = { ...meta, requestId: request.requestId, requestHash: request.requestHash };
    return createOnce(tenantId, request, clock.now(), {
      store,
      create: (stream) => execute(stream, { ...input, type: 'CreateRoom', roomId: stream.roomId }, recorded),
      createElsewhere: () => createRoom(tenantId, input, recorded),
    });
  }

  /** The room must have a history: a room that never existed is RoomNotFound (a deleted one still has its history). */
  const existing = (stream: StreamKey): ResultAsync<StreamKey, UsherError> =>
    store.readStream(stream, { toVersion: 1 }).andThen((first) => (first.length === 0 ? errAsync(ROOM_NOT_FOUND) : okAsync(stream)));

  /**
   * A room's events as a readable timeline, keyset-paged by version. A room that never existed is
   * RoomNotFound on every page, so that a token says nothing about rooms the caller cannot see.
   */
  function history(stream: StreamKey, page: PageRequest = {}): ResultAsync<Page<TimelineEntry>, UsherError> {
    const keyset = parsePageRequest(historyKeys, page);
    if (keyset.isErr()) return errAsync(keyset.error);
    const { after, pageSize } = keyset.value;
    return readHistory(store, stream, { fromVersion: (after ?? 0) + 1, limit: pageSize + 1 }).andThen((entries) => {
      const found = toPage(historyKeys, entries, pageSize, (entry) => entry.version);
      return entries.length > 0 ? okAsync(found) : existing(stream).map(() => found);
    });
  }

  /**
   * The room as it was at `instant` (default: now), by replay of its log a chunk at a time; `signal`
   * stops the replay between chunks (`Aborted`), e.g. when the client that asked has gone away.
   */
  function roomAt(
    stream: StreamKey,
    instant: Date = clock.now(),
    options: { readonly signal?: AbortSignalLike | undefined } = {},
  ): ResultAsync<RoomAtResult, UsherError> {
    return existing(stream)
      .andThen(() => replayRoomAt(store, stream, instant, options))
      .map((replayed) => ({ at: instant.toISOString(), ...replayed }));
  }

  const identities = identityOperations({
    store,
    clock,
    ids,
    tokens: options.tokens,
    run: commands.run,
    ejectFromCall: (tenantId, roomId, participant) =>
      execute({ tenantId, roomId }, { type: 'EjectFromCall', participant, reason: 'identityDeleted' }, { actor: 'system' }),
  });

  /**
   * One round of the call expiry schedule, for `holder`: with the lease (taken or renewed until
   * `leaseMs` from now), end every call whose room has the `endCall` policy and whose window has
   * closed. Ending is a room command like any other, so a call ends once even if two holders overlap.
   */
  function expireCalls(options: {
    readonly holder: string;
    readonly leaseMs: number;
    readonly batch?: number;
  }): ResultAsync<CallExpiryRound, UsherError> {
    const now = clock.now();
    const batch = options.batch ?? 100;
    const until = new Date(now.getTime() + options.leaseMs).toISOString();
    const sweep = async (): Promise<Result<CallExpiryRound, UsherError>> => {
      const held = await store.leases.acquire(CALL_EXPIRY_LEASE, options.holder, now.toISOString(), until);
      if (held.isErr()) return err(held.error);
      if (!held.value) return ok({ held: false, expired: 0, next: null });
      let expired = 0;
      for (;;) {
        const due = await store.callsToExpire(now.toISOString(), batch);
        if (due.isErr()) return err(due.error);
        for (const stream of due.value) {
          const ended = await execute(stream, { type: 'ExpireCall' }, { actor: 'system' });
          if (ended.isErr()) return err(ended.error);
          if (ended.value.events.length > 0) expired += 1;
        }
        if (due.value.length < batch) break;
      }
      const next = await store.nextCallExpiry();
      return next.map((at) => ({ held: true, expired, next: at }));
    };
    return new ResultAsync(sweep());
  }

  return {
    execute,
    createRoom,
    createRoomOnce,
    updateRoom: (stream: StreamKey, input: UpdateRoomInput, meta?: CommandOptions) => execute(stream, { ...input, type: 'UpdateRoom' }, meta),
    addParticipants: (stream: StreamKey, participants: readonly ParticipantEntry[], meta?: CommandOptions) =>
      execute(stream, { type: 'AddParticipants', participants }, meta),
    removeParticipants: (stream: StreamKey, participantIds: readonly ParticipantId[], meta?: CommandOptions) =>
      execute(stream, { type: 'RemoveParticipants', ids: participantIds }, meta),
    /** Upserts and removals in one decision and one append: all of them happen, or none. */
    updateParticipants: (stream: StreamKey, upsert: readonly ParticipantEntry[], remove: readonly ParticipantId[], meta?: CommandOptions) =>
      execute(stream, { type: 'UpdateParticipants', upsert, remove }, meta),
    deleteRoom: (stream: StreamKey, meta?: CommandOptions) => execute(stream, { type: 'DeleteRoom' }, meta),
    joinCall: (stream: StreamKey, participant: ParticipantId, meta?: CommandOptions) => execute(stream, { type: 'JoinCall', participant }, meta),
    leaveCall: (stream: StreamKey, participant: ParticipantId, reason?: VoluntaryLeaveReason, meta?: CommandOptions) =>
      execute(stream, { type: 'LeaveCall', participant, reason }, meta),
    startScreenShare: (stream: StreamKey, participant: ParticipantId, meta?: CommandOptions) =>
      execute(stream, { type: 'StartScreenShare', participant }, meta),
    stopScreenShare: (stream: StreamKey, participant: ParticipantId, meta?: CommandOptions) =>
      execute(stream, { type: 'StopScreenShare', participant }, meta),
    muteParticipant: (stream: StreamKey, participant: ParticipantId, target: ParticipantId, meta?: CommandOptions) =>
      execute(stream, { type: 'MuteParticipant', participant, target }, meta),
    removeFromCall: (stream: StreamKey, participant: ParticipantId, target: ParticipantId, meta?: CommandOptions) =>
      execute(stream, { type: 'RemoveFromCall', participant, target }, meta),
    dialOutPstn: (stream: StreamKey, participant: ParticipantId, number: PhoneNumber, meta?: CommandOptions) =>
      execute(stream, { type: 'DialOutPstn', participant, number }, meta),
    expireCall: (stream: StreamKey, meta?: CommandOptions) => execute(stream, { type: 'ExpireCall' }, { actor: 'system', ...meta }),
    loadRoom: (stream: StreamKey): ResultAsync<LoadedRoom | null, UsherError> => store.loadRoom(stream),
    getRoom: (stream: StreamKey): ResultAsync<RoomSummary | null, UsherError> => store.getRoom(stream),
    listRooms: (tenantId: TenantId, page: PageRequest = {}): ResultAsync<Page<RoomSummary>, UsherError> => store.listRooms({ tenantId, ...page }),
    listParticipants: (stream: StreamKey, page: PageRequest = {}): ResultAsync<Page<ParticipantRecord>, UsherError> =>
      store.listParticipants(stream, page),
    history,
    roomAt,
    ...identities,
    ...eventSubscriptionOperations({ store, clock, endpoints: options.webhooks }),
    expireCalls,
    releaseCallExpiry: (holder: string): ResultAsync<void, UsherError> => store.leases.release(CALL_EXPIRY_LEASE, holder),
    /** Whether the store answers: a read of the log's end, which fails while the database is unreachable or unmigrated. */
    checkReady: (): ResultAsync<void, UsherError> => store.headPosition().map(() => undefined),
  };
}

export type RoomService = ReturnType<typeof createRoomService>;
