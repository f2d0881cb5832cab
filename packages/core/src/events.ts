import type { ExpiryPolicy, VoluntaryLeaveReason } from './commands.js';
import type { IdentityEvent, IdentityEventType } from './identity.js';
import type { ParticipantId, PhoneNumber, RoomId } from './ids.js';
import type { Role } from './roles.js';

export type LeaveReason = VoluntaryLeaveReason | 'removedFromRoster' | 'removedFromCall' | 'callEnded' | 'identityDeleted';
export type CallEndReason = 'lastParticipantLeft' | 'roomDeleted' | 'expired';
export type ScreenShareStopReason = 'stopped' | 'roleChanged' | 'leftCall';

/** A room's settings as created; the room state starts from exactly these. */
export interface RoomSettings {
  readonly roomId: RoomId;
  readonly createdAt: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly pstnDialOutEnabled: boolean;
  readonly expiryPolicy: ExpiryPolicy;
}

/** Instants in events are ISO-8601 UTC strings, so that a log reads and hashes the same everywhere. */
export type RoomEvent =
  | { readonly type: 'RoomCreated'; readonly data: RoomSettings }
  | { readonly type: 'RoomScheduleChanged'; readonly data: { readonly validFrom: string; readonly validUntil: string } }
  | { readonly type: 'RoomPstnDialOutChanged'; readonly data: { readonly enabled: boolean } }
  | { readonly type: 'ParticipantAdded'; readonly data: { readonly participant: ParticipantId; readonly role: Role } }
  | {
      readonly type: 'ParticipantRoleChanged';
      readonly data: { readonly participant: ParticipantId; readonly from: Role; readonly to: Role };
    }
  | { readonly type: 'ParticipantRemoved'; readonly data: { readonly participant: ParticipantId } }
  | { readonly type: 'RoomDeleted'; readonly data: Readonly<Record<string, never>> }
  /** `startedAt` is absent from calls started before Usher 0.3 recorded it. */
  | { readonly type: 'CallStarted'; readonly data: { readonly startedBy: ParticipantId; readonly startedAt?: string } }
  | {
      readonly type: 'ParticipantJoinedCall';
      readonly data: { readonly participant: ParticipantId; readonly role: Role; readonly muted: boolean };
    }
  | { readonly type: 'ParticipantLeftCall'; readonly data: { readonly participant: ParticipantId; readonly reason: LeaveReason } }
  | { readonly type: 'CallEnded'; readonly data: { readonly reason: CallEndReason } }
  | { readonly type: 'ScreenShareStarted'; readonly data: { readonly participant: ParticipantId } }
  | {
      readonly type: 'ScreenShareStopped';
      readonly data: { readonly participant: ParticipantId; readonly reason: ScreenShareStopReason };
    }
  | {
      readonly type: 'ParticipantMuted';
      readonly data: { readonly participant: ParticipantId; readonly by: ParticipantId | 'system' };
    }
  | { readonly type: 'PstnDialedOut'; readonly data: { readonly participant: ParticipantId; readonly number: PhoneNumber } };

export type RoomEventType = RoomEvent['type'];

/** Everything the log holds: rooms' events and identities' events, each in its own stream. */
export type DomainEvent = RoomEvent | IdentityEvent;
export type DomainEventType = DomainEvent['type'];

/**
 * The schema version each event type is written with today. Every type is still at its first version;
 * when one changes, readers upcast older versions before `evolve` sees them (design §3).
 */
export const EVENT_SCHEMA_VERSION: Readonly<Record<DomainEventType, number>> = {
  RoomCreated: 1,
  RoomScheduleChanged: 1,
  RoomPstnDialOutChanged: 1,
  ParticipantAdded: 1,
  ParticipantRoleChanged: 1,
  ParticipantRemoved: 1,
  RoomDeleted: 1,
  CallStarted: 1,
  ParticipantJoinedCall: 1,
  ParticipantLeftCall: 1,
  CallEnded: 1,
  ScreenShareStarted: 1,
  ScreenShareStopped: 1,
  ParticipantMuted: 1,
  PstnDialedOut: 1,
  IdentityCreated: 1,
  AccessTokenIssued: 1,
  AccessTokensRevoked: 1,
  IdentityDeleted: 1,
};

const IDENTITY_EVENT_TYPES: ReadonlySet<string> = new Set<IdentityEventType>([
  'IdentityCreated',
  'AccessTokenIssued',
  'AccessTokensRevoked',
  'IdentityDeleted',
]);

export function isIdentityEvent(event: DomainEvent): event is IdentityEvent {
  return IDENTITY_EVENT_TYPES.has(event.type);
}

export const ROOM_EVENT_TYPES = (Object.keys(EVENT_SCHEMA_VERSION) as DomainEventType[]).filter(
  (type): type is RoomEventType => !IDENTITY_EVENT_TYPES.has(type),
);

export function isRoomEventType(value: string): value is RoomEventType {
  return Object.hasOwn(EVENT_SCHEMA_VERSION, value) && !IDENTITY_EVENT_TYPES.has(value);
}
