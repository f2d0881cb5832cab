import { type DomainEvent, isIdentityEvent, type RoomEvent } from './events.js';
import type { ParticipantId } from './ids.js';
import { EMPTY_ROSTER, type InCallParticipant, type Room, type RoomState, type Roster } from './state.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

interface DraftCall {
  participants: Record<ParticipantId, Writable<InCallParticipant>>;
  screenSharer: ParticipantId | null;
  startedAt?: string;
}

type DraftRoom = Writable<Omit<Room, 'roster' | 'call'>> & { roster: Roster; call: DraftCall | null };

/**
 * A room state its holder owns and changes in place: what `fold` and the decider apply events to, so
 * that an event costs the same whatever the size of the roster (copying the roster per event made
 * replays quadratic). A draft is a `RoomState` like any other once handed on.
 */
export type DraftState = { readonly status: 'absent' } | { readonly status: 'active' | 'deleted'; readonly room: DraftRoom };

/** A copy of `state` to change in place: one pass over the call; the roster is persistent, so it is shared, not copied. */
export function draftOf(state: RoomState): DraftState {
  if (state.status === 'absent') return state;
  const { call } = state.room;
  const participants: Record<ParticipantId, Writable<InCallParticipant>> = {};
  for (const [id, member] of Object.entries(call?.participants ?? {})) put(participants, id as ParticipantId, { ...member });
  return {
    status: state.status,
    room: { ...state.room, call: call === null ? null : { ...call, participants } },
  };
}

/** Sets a key, also `__proto__` (a log may hold any id): as an own property, as JSON.parse and spreads make it. */
function put<V>(record: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

function applyToRoom(room: DraftRoom, event: RoomEvent): void {
  switch (event.type) {
    case 'RoomCreated':
    case 'RoomDeleted':
    case 'PstnDialedOut':
      return;
    case 'RoomScheduleChanged':
      room.validFrom = event.data.validFrom;
      room.validUntil = event.data.validUntil;
      return;
    case 'RoomPstnDialOutChanged':
      room.pstnDialOutEnabled = event.data.enabled;
      return;
    case 'ParticipantAdded':
      room.roster = room.roster.set(event.data.participant, event.data.role);
      return;
    case 'ParticipantRoleChanged': {
      room.roster = room.roster.set(event.data.participant, event.data.to);
      const member =
        room.call === null || !Object.hasOwn(room.call.participants, event.data.participant)
          ? undefined
          : room.call.participants[event.data.participant];
      if (member !== undefined) member.role = event.data.to;
      return;
    }
    case 'ParticipantRemoved':
      room.roster = room.roster.remove(event.data.participant);
      return;
    case 'CallStarted':
      room.call = { participants: {}, screenSharer: null, ...(event.data.startedAt === undefined ? {} : { startedAt: event.data.startedAt }) };
      return;
    case 'ParticipantJoinedCall':
      if (room.call !== null) put(room.call.participants, event.data.participant, { role: event.data.role, muted: event.data.muted });
      return;
    case 'ParticipantLeftCall':
      if (room.call === null) return;
      delete room.call.participants[event.data.participant];
      if (room.call.screenSharer === event.data.participant) room.call.screenSharer = null;
      return;
    case 'CallEnded':
      room.call = null;
      return;
    case 'ScreenShareStarted':
      if (room.call !== null) room.call.screenSharer = event.data.participant;
      return;
    case 'ScreenShareStopped':
      if (room.call !== null && room.call.screenSharer === event.data.participant) room.call.screenSharer = null;
      return;
    case 'ParticipantMuted': {
      const member =
        room.call === null || !Object.hasOwn(room.call.participants, event.data.participant)
          ? undefined
          : room.call.participants[event.data.participant];
      if (member !== undefined) member.muted = true;
      return;
    }
  }
}

/**
 * Applies one event to a draft, changing it in place (a created room is a new draft). Total and
 * trusting: the log is the truth, so an event that makes no sense for the state changes nothing.
 */
export function applyEvent(draft: DraftState, event: RoomEvent): DraftState {
  if (event.type === 'RoomCreated') {
    const { roomId, createdAt, validFrom, validUntil, pstnDialOutEnabled, expiryPolicy } = event.data;
    return {
      status: 'active',
      room: { roomId, createdAt, validFrom, validUntil, pstnDialOutEnabled, expiryPolicy, roster: EMPTY_ROSTER, call: null },
    };
  }
  if (draft.status !== 'active') return draft;
  if (event.type === 'RoomDeleted') {
    draft.room.call = null;
    return { status: 'deleted', room: draft.room };
  }
  applyToRoom(draft.room, event);
  return draft;
}

/** The state after one event; `state` itself is left as it was. An identity's event changes no room. */
export function evolve(state: RoomState, event: DomainEvent): RoomState {
  return isIdentityEvent(event) ? state : applyEvent(draftOf(state), event);
}

/** The state after `events`, in one copy of `from`: linear in the number of events, whatever the roster size. */
export function fold(events: Iterable<DomainEvent>, from: RoomState = { status: 'absent' }): RoomState {
  let draft = draftOf(from);
  for (const event of events) if (!isIdentityEvent(event)) draft = applyEvent(draft, event);
  return draft;
}
