import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { ParticipantEntry, RoomCommand, VoluntaryLeaveReason } from './commands.js';
import { decide } from './decide.js';
import type { NewEvent, StoredEvent } from './envelope.js';
import type { ExpectedVersion, UsherError } from './errors.js';
import { EVENT_SCHEMA_VERSION, type RoomEvent } from './events.js';
import { fold } from './evolve.js';
import type { ParticipantId, PhoneNumber, StreamKey, TenantId } from './ids.js';
import { type Limits, withDefaultLimits } from './limits.js';
import type { Clock, EventStore, IdGenerator, LoadedRoom, Page, PageRequest, ParticipantRecord, RoomSummary } from './ports.js';
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

/** Who asked and on behalf of which request: recorded in every event's metadata. */
export interface CommandOptions {
  readonly actor?: string | undefined;
  readonly requestId?: string | undefined;
  readonly requestHash?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly causationId?: string | undefined;
}

export interface CommandResult {
  readonly stream: StreamKey;
  readonly state: RoomState;
  readonly version: number;
  /** The events this command appended; empty when it changed nothing. */
  readonly events: readonly StoredEvent[];
}

export type CreateRoomInput = Omit<RoomCommand & { type: 'CreateRoom' }, 'type' | 'roomId'>;
export type UpdateRoomInput = Omit<RoomCommand & { type: 'UpdateRoom' }, 'type'>;

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
      const decided = decide(command, state, { now, actor: meta.actor ?? 'system', limits });
      if (decided.isErr()) return errAsync<CommandResult, UsherError>(decided.error);
      if (decided.value.length === 0) return okAsync<CommandResult, UsherError>({ stream, state, version, events: [] });
      const expected: ExpectedVersion = version === 0 ? 'noStream' : version;
      return store
        .append(stream, toNewEvents(decided.value, now, meta), expected)
        .map((appended): CommandResult => ({ stream, state: fold(decided.value, state), version: appended.version, events: appended.events }))
        .orElse((error) =>
          error.type === 'Concurrency' && retriesLeft > 0
            ? attempt(stream, command, meta, retriesLeft - 1)
            : errAsync<CommandResult, UsherError>(error),
        );
    });
  }

  /** Decides `command` on the room's current state and appends the outcome, retrying on a concurrent write. */
  function execute(stream: StreamKey, command: RoomCommand, meta: CommandOptions = {}): ResultAsync<CommandResult, UsherError> {
    return attempt(stream, command, meta, maxRetries);
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

  return {
    execute,
    createRoom,
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
  };
}

export type RoomService = ReturnType<typeof createRoomService>;
