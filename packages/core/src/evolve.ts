import type { RoomEvent } from './events.js';
import type { ParticipantId } from './ids.js';
import type { CallState, InCallParticipant, Room, RoomState } from './state.js';

function without<V>(record: Readonly<Record<ParticipantId, V>>, key: ParticipantId): Record<ParticipantId, V> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

function updateCall(room: Room, change: (call: CallState) => CallState): Room {
  return room.call === null ? room : { ...room, call: change(room.call) };
}

function updateInCall(room: Room, participant: ParticipantId, change: (p: InCallParticipant) => InCallParticipant): Room {
  return updateCall(room, (call) => {
    const current = call.participants[participant];
    return current === undefined ? call : { ...call, participants: { ...call.participants, [participant]: change(current) } };
  });
}

function evolveRoom(room: Room, event: RoomEvent): Room {
  switch (event.type) {
    case 'RoomCreated':
    case 'RoomDeleted':
      return room;
    case 'RoomScheduleChanged':
      return { ...room, validFrom: event.data.validFrom, validUntil: event.data.validUntil };
    case 'RoomPstnDialOutChanged':
      return { ...room, pstnDialOutEnabled: event.data.enabled };
    case 'ParticipantAdded':
      return { ...room, roster: { ...room.roster, [event.data.participant]: event.data.role } };
    case 'ParticipantRoleChanged': {
      const changed = { ...room, roster: { ...room.roster, [event.data.participant]: event.data.to } };
      return updateInCall(changed, event.data.participant, (p) => ({ ...p, role: event.data.to }));
    }
    case 'ParticipantRemoved':
      return { ...room, roster: without(room.roster, event.data.participant) };
    case 'CallStarted':
      return { ...room, call: { participants: {}, screenSharer: null } };
    case 'ParticipantJoinedCall':
      return updateCall(room, (call) => ({
        ...call,
        participants: { ...call.participants, [event.data.participant]: { role: event.data.role, muted: event.data.muted } },
      }));
    case 'ParticipantLeftCall':
      return updateCall(room, (call) => ({
        participants: without(call.participants, event.data.participant),
        screenSharer: call.screenSharer === event.data.participant ? null : call.screenSharer,
      }));
    case 'CallEnded':
      return { ...room, call: null };
    case 'ScreenShareStarted':
      return updateCall(room, (call) => ({ ...call, screenSharer: event.data.participant }));
    case 'ScreenShareStopped':
      return updateCall(room, (call) => (call.screenSharer === event.data.participant ? { ...call, screenSharer: null } : call));
    case 'ParticipantMuted':
      return updateInCall(room, event.data.participant, (p) => ({ ...p, muted: true }));
    case 'PstnDialedOut':
      return room;
  }
}

/** Total and trusting: the log is the truth, so an event that makes no sense for the state changes nothing. */
export function evolve(state: RoomState, event: RoomEvent): RoomState {
  if (event.type === 'RoomCreated') {
    const { roomId, createdAt, validFrom, validUntil, pstnDialOutEnabled, expiryPolicy } = event.data;
    return {
      status: 'active',
      room: { roomId, createdAt, validFrom, validUntil, pstnDialOutEnabled, expiryPolicy, roster: {}, call: null },
    };
  }
  if (state.status !== 'active') return state;
  if (event.type === 'RoomDeleted') return { status: 'deleted', room: { ...state.room, call: null } };
  return { status: 'active', room: evolveRoom(state.room, event) };
}

export function fold(events: Iterable<RoomEvent>, from: RoomState = { status: 'absent' }): RoomState {
  let state = from;
  for (const event of events) state = evolve(state, event);
  return state;
}
