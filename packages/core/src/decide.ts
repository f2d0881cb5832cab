import { err, ok, type Result } from 'neverthrow';
import { DEFAULT_EXPIRY_POLICY, type ParticipantEntry, type RoomCommand } from './commands.js';
import { ROOM_NOT_FOUND, type RoomError, SUBCODE } from './errors.js';
import type { CallEndReason, LeaveReason, RoomEvent } from './events.js';
import { applyEvent, type DraftState, draftOf } from './evolve.js';
import type { ParticipantId } from './ids.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { type Capability, can, DEFAULT_ROLE, type Role } from './roles.js';
import { checkOpen, hasPassed, resolveWindow } from './schedule.js';
import { callParticipants, inCall, type Room, type RoomState, roleOf, rosterSize } from './state.js';

export interface DecideContext {
  /** The one clock reading of this command; the core never reads a clock itself. */
  readonly now: Date;
  /** Who issues the command (recorded in event metadata by the service). */
  readonly actor: string;
  readonly limits?: Limits | undefined;
}

export type Decision = Result<RoomEvent[], RoomError>;

/** The events a command causes and the state they lead to: the decider folds them once, as it decides. */
export interface Transition {
  readonly events: readonly RoomEvent[];
  readonly state: RoomState;
}

type Decided = Result<Transition, RoomError>;

/**
 * Collects the events of one decision and keeps the room they lead to, so that each live effect
 * (an ejection, a stopped screen share, the end of a call) is decided on the state it follows. The
 * state is copied once, at the first event, and then changed in place: a decision costs what its
 * events cost, not the roster size times their number.
 */
class Outcome {
  readonly events: RoomEvent[] = [];
  private draft: DraftState | null = null;
  constructor(private readonly initial: RoomState) {}

  private get state(): RoomState {
    return this.draft ?? this.initial;
  }

  get room(): Room {
    const state = this.state;
    if (state.status === 'absent') throw new Error('Outcome.room read before the room exists');
    return state.room;
  }

  emit(event: RoomEvent): this {
    this.events.push(event);
    this.draft = applyEvent(this.draft ?? draftOf(this.initial), event);
    return this;
  }

  /** One participant leaves; the call ends with its last participant. */
  leave(participant: ParticipantId, reason: LeaveReason): this {
    if (!inCall(this.room, participant)) return this;
    if (this.room.call?.screenSharer === participant) {
      this.emit({ type: 'ScreenShareStopped', data: { participant, reason: 'leftCall' } });
    }
    this.emit({ type: 'ParticipantLeftCall', data: { participant, reason } });
    if (callParticipants(this.room).length === 0) this.emit({ type: 'CallEnded', data: { reason: 'lastParticipantLeft' } });
    return this;
  }

  /** The room ends the call for everybody in it. */
  endCall(reason: CallEndReason): this {
    const call = this.room.call;
    if (call === null) return this;
    if (call.screenSharer !== null) {
      this.emit({ type: 'ScreenShareStopped', data: { participant: call.screenSharer, reason: 'leftCall' } });
    }
    for (const participant of callParticipants(this.room)) {
      this.emit({ type: 'ParticipantLeftCall', data: { participant, reason: 'callEnded' } });
    }
    return this.emit({ type: 'CallEnded', data: { reason } });
  }

  /** A new role applies at once: whatever the participant is doing in the call that the role forbids stops. */
  changeRole(participant: ParticipantId, from: Role, to: Role): this {
    this.emit({ type: 'ParticipantRoleChanged', data: { participant, from, to } });
    const call = this.room.call;
    const member = call?.participants[participant];
    if (call === null || member === undefined) return this;
    if (call.screenSharer === participant && !can(to, 'shareScreen')) {
      this.emit({ type: 'ScreenShareStopped', data: { participant, reason: 'roleChanged' } });
    }
    if (!member.muted && !can(to, 'unmuteMic')) {
      this.emit({ type: 'ParticipantMuted', data: { participant, by: 'system' } });
    }
    return this;
  }

  done(): Decided {
    return ok({ events: this.events, state: this.state });
  }
}

function checkParticipantCount(count: number, limits: Limits): Result<void, RoomError> {
  if (count <= limits.maxParticipantsPerRequest) return ok(undefined);
  return err({
    type: 'TooManyParticipantsInRequest',
    limit: limits.maxParticipantsPerRequest,
    requested: count,
    message: `A request may name at most ${limits.maxParticipantsPerRequest} participants; this one names ${count}.`,
  });
}

function checkDistinct(ids: readonly ParticipantId[]): Result<void, RoomError> {
  const seen = new Set<ParticipantId>();
  for (const id of ids) {
    if (seen.has(id)) {
      return err({
        type: 'DuplicateParticipantInRequest',
        participantId: id,
        message: `Participant ${id} is named more than once in the request.`,
      });
    }
    seen.add(id);
  }
  return ok(undefined);
}

/** `room` is null for a room being created. */
function checkRosterSize(room: Room | null, entries: readonly ParticipantEntry[], limits: Limits): Result<void, RoomError> {
  const added = room === null ? entries.length : entries.filter((entry) => roleOf(room, entry.id) === undefined).length;
  // Counting the roster costs as much as the roster is long: only a change that adds someone needs it.
  if (added === 0) return ok(undefined);
  const size = (room === null ? 0 : rosterSize(room)) + added;
  if (size <= limits.maxRosterSize) return ok(undefined);
  return err({
    type: 'RosterFull',
    limit: limits.maxRosterSize,
    requested: size,
    message: `A room's roster holds at most ${limits.maxRosterSize} participants; this change would make it ${size}.`,
  });
}

function upsertParticipants(outcome: Outcome, entries: readonly ParticipantEntry[]): Outcome {
  for (const { id, role = DEFAULT_ROLE } of entries) {
    const current = roleOf(outcome.room, id);
    if (current === undefined) outcome.emit({ type: 'ParticipantAdded', data: { participant: id, role } });
    else if (current !== role) outcome.changeRole(id, current, role);
  }
  return outcome;
}

/** Upserts, then removals (each removal ejecting from the call), checked as one request. */
function updateRoster(outcome: Outcome, upsert: readonly ParticipantEntry[], remove: readonly ParticipantId[], limits: Limits): Decided {
  return checkParticipantCount(upsert.length + remove.length, limits)
    .andThen(() => checkDistinct([...upsert.map((entry) => entry.id), ...remove]))
    .andThen(() => checkRosterSize(outcome.room, upsert, limits))
    .andThen(() => {
      upsertParticipants(outcome, upsert);
      for (const participant of remove) {
        if (roleOf(outcome.room, participant) === undefined) continue;
        outcome.emit({ type: 'ParticipantRemoved', data: { participant } }).leave(participant, 'removedFromRoster');
      }
      return outcome.done();
    });
}

/** The acting participant must be in the call and hold the capability the action needs. */
function checkActor(room: Room, participant: ParticipantId, capability: Capability): Result<Role, RoomError> {
  const member = room.call?.participants[participant];
  if (member === undefined) {
    return err({ type: 'NotInCall', participantId: participant, message: `Participant ${participant} is not in the room's call.` });
  }
  if (!can(member.role, capability)) {
    return err({
      type: 'CapabilityDenied',
      participantId: participant,
      role: member.role,
      capability,
      message: `The ${member.role} role may not ${capability}.`,
    });
  }
  return ok(member.role);
}

function checkTargetInCall(room: Room, target: ParticipantId): Result<void, RoomError> {
  if (inCall(room, target)) return ok(undefined);
  return err({ type: 'TargetNotInCall', participantId: target, message: `Participant ${target} is not in the room's call.` });
}

function join(state: RoomState & { status: 'active' }, participant: ParticipantId, ctx: DecideContext, limits: Limits): Decided {
  const room = state.room;
  const role = roleOf(room, participant);
  if (role === undefined) {
    return err({
      type: 'NotInvited',
      participantId: participant,
      subcode: SUBCODE.notInvited,
      message: `Participant ${participant} is not on the room's roster.`,
    });
  }
  const outcome = new Outcome(state);
  if (inCall(room, participant)) return outcome.done();
  return checkOpen(room, ctx.now).andThen(() => {
    if (callParticipants(room).length >= limits.maxCallSize) {
      return err<Transition, RoomError>({
        type: 'CallFull',
        limit: limits.maxCallSize,
        message: `The room's call already has the maximum of ${limits.maxCallSize} participants.`,
      });
    }
    if (room.call === null) outcome.emit({ type: 'CallStarted', data: { startedBy: participant, startedAt: ctx.now.toISOString() } });
    return outcome.emit({ type: 'ParticipantJoinedCall', data: { participant, role, muted: !can(role, 'unmuteMic') } }).done();
  });
}

function decideOnRoom(
  command: Exclude<RoomCommand, { type: 'CreateRoom' }>,
  state: RoomState & { status: 'active' },
  ctx: DecideContext,
  limits: Limits,
): Decided {
  const room = state.room;
  const outcome = new Outcome(state);
  switch (command.type) {
    case 'UpdateRoom':
    case 'SetSchedule': {
      const touchesWindow = command.validFrom !== undefined || command.validUntil !== undefined;
      const current = { validFrom: new Date(room.validFrom), validUntil: new Date(room.validUntil) };
      const window = touchesWindow ? resolveWindow(command, ctx.now, current) : ok(current);
      return window.andThen(({ validFrom, validUntil }) => {
        const from = validFrom.toISOString();
        const until = validUntil.toISOString();
        if (from !== room.validFrom || until !== room.validUntil) {
          outcome.emit({ type: 'RoomScheduleChanged', data: { validFrom: from, validUntil: until } });
        }
        const pstn = command.type === 'UpdateRoom' ? command.pstnDialOutEnabled : undefined;
        if (pstn !== undefined && pstn !== room.pstnDialOutEnabled) {
          outcome.emit({ type: 'RoomPstnDialOutChanged', data: { enabled: pstn } });
        }
        return outcome.done();
      });
    }
    case 'AddParticipants':
      return updateRoster(outcome, command.participants, [], limits);
    case 'RemoveParticipants':
      return updateRoster(outcome, [], command.ids, limits);
    case 'UpdateParticipants':
      return updateRoster(outcome, command.upsert, command.remove, limits);
    case 'DeleteRoom':
      return outcome.endCall('roomDeleted').emit({ type: 'RoomDeleted', data: {} }).done();
    case 'JoinCall':
      return join(state, command.participant, ctx, limits);
    case 'LeaveCall':
      return outcome.leave(command.participant, command.reason ?? 'left').done();
    case 'EjectFromCall':
      return outcome.leave(command.participant, command.reason).done();
    case 'StartScreenShare':
      return checkActor(room, command.participant, 'shareScreen').andThen(() => {
        const sharer = room.call?.screenSharer ?? null;
        if (sharer === command.participant) return outcome.done();
        if (sharer !== null) {
          return err<Transition, RoomError>({
            type: 'ScreenShareBusy',
            sharer,
            message: `Participant ${sharer} is already sharing a screen in this call.`,
          });
        }
        return outcome.emit({ type: 'ScreenShareStarted', data: { participant: command.participant } }).done();
      });
    case 'StopScreenShare':
      if (room.call?.screenSharer !== command.participant) return outcome.done();
      return outcome.emit({ type: 'ScreenShareStopped', data: { participant: command.participant, reason: 'stopped' } }).done();
    case 'MuteParticipant': {
      const { participant, target } = command;
      // Muting yourself needs no right; muting someone else is a presenter's.
      const allowed =
        participant === target
          ? checkTargetInCall(room, participant).map(() => undefined)
          : checkActor(room, participant, 'muteOthers').andThen(() => checkTargetInCall(room, target));
      return allowed.andThen(() => {
        if (room.call?.participants[target]?.muted === true) return outcome.done();
        return outcome.emit({ type: 'ParticipantMuted', data: { participant: target, by: participant } }).done();
      });
    }
    case 'RemoveFromCall':
      return checkActor(room, command.participant, 'removeParticipant')
        .andThen(() => checkTargetInCall(room, command.target))
        .andThen(() => outcome.leave(command.target, 'removedFromCall').done());
    case 'DialOutPstn':
      return checkActor(room, command.participant, 'dialOutPstn').andThen(() => {
        if (!room.pstnDialOutEnabled) {
          return err<Transition, RoomError>({ type: 'PstnDialOutDisabled', message: 'PSTN dial-out is not enabled for this room.' });
        }
        return outcome.emit({ type: 'PstnDialedOut', data: { participant: command.participant, number: command.number } }).done();
      });
    case 'ExpireCall':
      // A timer that fires early (the window moved after it was set) or a blockJoins room: nothing to do.
      if (room.expiryPolicy !== 'endCall' || !hasPassed(room.validUntil, ctx.now)) return outcome.done();
      return outcome.endCall('expired').done();
  }
}

function create(command: RoomCommand & { type: 'CreateRoom' }, ctx: DecideContext, limits: Limits): Decided {
  const participants = command.participants ?? [];
  return resolveWindow(command, ctx.now)
    .mapErr((error): RoomError => error)
    .andThen((window) =>
      checkParticipantCount(participants.length, limits)
        .andThen(() => checkDistinct(participants.map((entry) => entry.id)))
        .andThen(() => checkRosterSize(null, participants, limits))
        .map(() => window),
    )
    .andThen(({ validFrom, validUntil }) => {
      const outcome = new Outcome({ status: 'absent' }).emit({
        type: 'RoomCreated',
        data: {
          roomId: command.roomId,
          createdAt: ctx.now.toISOString(),
          validFrom: validFrom.toISOString(),
          validUntil: validUntil.toISOString(),
          pstnDialOutEnabled: command.pstnDialOutEnabled ?? false,
          expiryPolicy: command.expiryPolicy ?? DEFAULT_EXPIRY_POLICY,
        },
      });
      return upsertParticipants(outcome, participants).done();
    });
}

/**
 * Turns a command into the events it causes and the state they lead to, or the rule it breaks. Pure
 * and total: it reads the time from `ctx.now`, and a command that would change nothing yields no events.
 */
export function decideTransition(command: RoomCommand, state: RoomState, ctx: DecideContext): Result<Transition, RoomError> {
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  if (command.type === 'CreateRoom') {
    if (state.status !== 'absent') {
      return err({ type: 'RoomAlreadyExists', roomId: command.roomId, message: `Room ${command.roomId} already exists.` });
    }
    return create(command, ctx, limits);
  }
  if (state.status === 'deleted' && command.type === 'DeleteRoom') return ok({ events: [], state });
  if (state.status !== 'active') return err(ROOM_NOT_FOUND);
  return decideOnRoom(command, state, ctx, limits);
}

/** The events a command causes, or the rule it breaks: `decideTransition` without the state. */
export function decide(command: RoomCommand, state: RoomState, ctx: DecideContext): Decision {
  return decideTransition(command, state, ctx).map((transition) => [...transition.events]);
}
