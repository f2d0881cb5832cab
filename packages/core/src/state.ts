import { Map as PersistentMap } from 'immutable';
import type { RoomSettings } from './events.js';
import type { ParticipantId } from './ids.js';
import type { Role } from './roles.js';

export interface InCallParticipant {
  readonly role: Role;
  readonly muted: boolean;
}

export interface CallState {
  /** Keyed by rawId, in join order. */
  readonly participants: Readonly<Record<ParticipantId, InCallParticipant>>;
  readonly screenSharer: ParticipantId | null;
  /** When the call started; unknown for calls started before it was recorded. */
  readonly startedAt?: string;
}

/**
 * rawId → role, as a persistent map: a change makes a new roster sharing all but a path with the old
 * one, so that deciding on or folding into a room costs the same whatever the roster's size (a copied
 * object cost as much as the roster was long). As JSON it is an object, rawId → role.
 */
export type Roster = PersistentMap<ParticipantId, Role>;

export const EMPTY_ROSTER: Roster = PersistentMap();

/** A roster of these rawIds and roles (the last role of an id wins). */
export function rosterOf(entries: Iterable<readonly [ParticipantId, Role]>): Roster {
  return EMPTY_ROSTER.withMutations((roster) => {
    for (const [id, role] of entries) roster.set(id, role);
  });
}

export interface Room extends RoomSettings {
  readonly roster: Roster;
  readonly call: CallState | null;
}

/** JSON-serialisable (the roster as an object), so that a store can keep it as the room's projection; `reviveRoomState` reads it back. */
export type RoomState =
  | { readonly status: 'absent' }
  | { readonly status: 'active'; readonly room: Room }
  | { readonly status: 'deleted'; readonly room: Room };

export function initialState(): RoomState {
  return { status: 'absent' };
}

export function roleOf(room: Room, participant: ParticipantId): Role | undefined {
  return room.roster.get(participant);
}

export function inCall(room: Room, participant: ParticipantId): boolean {
  return room.call !== null && Object.hasOwn(room.call.participants, participant);
}

/**
 * Who is in the call, in id order: decisions that act on everyone (ending the call) must not depend on
 * the key order of a stored state — PostgreSQL's jsonb, for one, sorts keys its own way.
 */
export function callParticipants(room: Room): ParticipantId[] {
  return room.call === null ? [] : (Object.keys(room.call.participants) as ParticipantId[]).sort();
}

export function rosterSize(room: Room): number {
  return room.roster.size;
}

/**
 * A room state read back from its JSON (a stored projection): the roster object becomes a roster
 * again. A state whose roster is one already is returned as it is.
 */
export function reviveRoomState<S extends { readonly status: string }>(state: S): S {
  if (state.status !== 'active' && state.status !== 'deleted') return state;
  const room = (state as unknown as { room: Room | (Omit<Room, 'roster'> & { roster: Record<string, Role> }) }).room;
  if (PersistentMap.isMap(room.roster)) return state;
  const roster = rosterOf(Object.entries(room.roster) as [ParticipantId, Role][]);
  return { ...state, room: { ...room, roster } };
}
