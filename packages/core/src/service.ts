import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { type RoomAtInstant, history as readHistory, roomAt as replayRoomAt, type TimelineEntry } from './audit/history.js';
import type { CommandOptions, CommandResult } from './command-result.js';
import type { ParticipantEntry, RoomCommand, VoluntaryLeaveReason } from './commands.js';
import { decideTransition } from './decide.js';
import type { NewEvent } from './envelope.js';
import { ROOM_NOT_FOUND, type UsherError } from './errors.js';
import { EVENT_SCHEMA_VERSION, type RoomEvent } from './events.js';
import type { ExpectedVersion } from './expected-version.js';
import type { ParticipantId, PhoneNumber, StreamKey, TenantId } from './ids.js';
import { type Limits, withDefaultLimits } from './limits.js';
import { historyKeys, parsePageRequest, toPage } from './paging.js';
import type { AbortSignalLike, Clock, EventStore, IdGenerator, LoadedRoom, Page, PageRequest, ParticipantRecord, RoomSummary } from './ports.js';
import { createOnce, type RepeatableRequest, type RoomCreatedOnce } from './repeatable-create.js';
import type { RoomState } from './state.js';

export const DEFAULT_MAX_RETRIES = 5;

export interface RoomServiceOptions {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly limits?: Partial<Limits> | undefined;
  /** How many times a command is decided again after a concurrent write to the same room. */
  readonly maxRetries?: number | undefined;
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

  function toNewEvents(events: readonly RoomEvent[], at: Date, meta: CommandOptions): NewEvent[] {
    const envelopeMeta = {
      at: at.toISOString(),
      actor: meta.actor ?? 'system',
      ...(meta.requestId === undefined ? {} : { requestId: meta.requestId }),
      ...(meta.requestHash === undefined ? {} : { requestHash: meta.requestHash }),
      ...(meta.correlationId === undefined ? {} : { correlationId: meta.correlationId }),
      ...(meta.causationId === undefined ? {} : { causationId: meta.causationId }),
    };
    return events.map((event) => ({ ...event, eventId: ids.eventId(), schemaVersion: EVENT_SCHEMA_VERSION[event.type], meta: envelopeMeta }));
  }

  function attempt(stream: StreamKey, command: RoomCommand, meta: CommandOptions, retriesLeft: number): ResultAsync<CommandResult, UsherError> {
    return store.loadRoom(stream).andThen((loaded: LoadedRoom | null) => {
      const state: RoomState = loaded?.state ?? { status: 'absent' };
      const version = loaded?.version ?? 0;
      const now = clock.now();
      const decided = decideTransition(command, state, { now, actor: meta.actor ?? 'system', limits });
      if (decided.isErr()) return errAsync<CommandResult, UsherError>(decided.error);
      const transition = decided.value;
      if (transition.events.length === 0) return okAsync<CommandResult, UsherError>({ stream, state, version, events: [] });
      const expected: ExpectedVersion = version === 0 ? 'noStream' : version;
      // The decider's state travels with the events, so that neither the store nor this service folds them again.
      return store
        .append(stream, toNewEvents(transition.events, now, meta), expected, transition.state)
        .map((appended): CommandResult => ({ stream, state: transition.state, version: appended.version, events: appended.events }))
        .orElse((error) =>
          error.type === 'Concurrency' && retriesLeft > 0
            ? attempt(stream, command, meta, retriesLeft - 1)
            : errAsync<CommandResult, UsherError>(error),
        );
    });
  }

  /**
   * Commands on one room run one after another in this process: run together, all but one would
   * only conflict and decide again. Writers in other processes still can; `attempt` retries for them.
   */
  const queues = new Map<string, Promise<void>>();
  function oneAtATime<T>(stream: StreamKey, work: () => ResultAsync<T, UsherError>): ResultAsync<T, UsherError> {
    const key = `${stream.tenantId}\u0000${stream.roomId}`;
    const done = (queues.get(key) ?? Promise.resolve()).then(() => work());
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return new ResultAsync(done);
  }

  /** Decides `command` on the room's current state and appends the outcome, retrying on a concurrent write. */
  function execute(stream: StreamKey, command: RoomCommand, meta: CommandOptions = {}): ResultAsync<CommandResult, UsherError> {
    return oneAtATime(stream, () => attempt(stream, command, meta, maxRetries));
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
  };
}

export type RoomService = ReturnType<typeof createRoomService>;
