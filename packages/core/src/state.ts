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

export interface Room extends RoomSettings {
  /** Keyed by rawId, in the order participants were first added. */
  readonly roster: Readonly<Record<ParticipantId, Role>>;
  readonly call: CallState | null;
}

/** Plain JSON all the way down, so that a store can keep it as the room's projection. */
export type RoomState =
  | { readonly status: 'absent' }
  | { readonly status: 'active'; readonly room: Room }
  | { readonly status: 'deleted'; readonly room: Room };

export function initialState(): RoomState {
  return { status: 'absent' };
}

export function roleOf(room: Room, participant: ParticipantId): Role | undefined {
  return Object.hasOwn(room.roster, participant) ? room.roster[participant] : undefined;
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
  return Object.keys(room.roster).length;
}
