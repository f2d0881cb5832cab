import type { StoredEvent } from './envelope.js';
import type { DomainEvent } from './events.js';
import type { ParticipantId, TenantId } from './ids.js';
import type { Role } from './roles.js';
import { sha256 } from './sha256.js';
import type { RoomState } from './state.js';

/** The server events Usher delivers: ACS's calling events for room calls, and room-lifecycle events ACS lacks. */
export const SERVER_EVENT_TYPES = [
  'Microsoft.Communication.CallStarted',
  'Microsoft.Communication.CallEnded',
  'Microsoft.Communication.CallParticipantAdded',
  'Microsoft.Communication.CallParticipantRemoved',
  'Usher.Rooms.RoomCreated',
  'Usher.Rooms.RoomUpdated',
  'Usher.Rooms.RoomDeleted',
  'Usher.Rooms.ParticipantsUpdated',
] as const;

export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];

export function isServerEventType(value: string): value is ServerEventType {
  return (SERVER_EVENT_TYPES as readonly string[]).includes(value);
}

/** A server event in Event Grid's schema, before delivery stamps its `topic` (reference/acs-rooms.md §5.1–5.2). */
export interface ServerEvent {
  /** The same on every attempt and every node: derived from the id of the log event it reports. */
  readonly id: string;
  readonly eventType: ServerEventType;
  readonly subject: string;
  /** When the log event happened. */
  readonly eventTime: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly dataVersion: '1.0';
  readonly metadataVersion: '1';
}

/** The call a room's event happened in: what every calling event of one call says the same way. */
export interface CallContext {
  /** The log event id of the call's `CallStarted`: what its ids are derived from. */
  readonly startedEventId: string;
  /** When it started (the `CallStarted` event's time). */
  readonly startedAt: string;
  readonly startedBy: ParticipantId;
  readonly startedByRole: Role;
}

/** A room just before one of its events, as a feed of server events tracks it. */
export interface RoomBefore {
  readonly state: RoomState;
  /** The call in progress, if any. */
  readonly call: CallContext | null;
}

const ZERO_GROUP = '00000000-0000-0000-0000-000000000000';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function asUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A ULID is 128 bits: written as a GUID, which is what Event Grid ids look like. Other ids are hashed to one. */
export function guidOfEventId(eventId: string): string {
  if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(eventId)) {
    let value = 0n;
    for (const character of eventId) value = value * 32n + BigInt(CROCKFORD.indexOf(character));
    return asUuid(value.toString(16).padStart(32, '0'));
  }
  return derivedGuid('event', eventId);
}

function derivedGuid(purpose: string, source: string): string {
  return asUuid(sha256(`${purpose}\u0000${source}`, 'hex').slice(0, 32));
}

/** The `serverCallId` and `correlationId` of a call: stable for the call, on every node. */
export function callIds(call: CallContext): { readonly serverCallId: string; readonly correlationId: string } {
  return { serverCallId: derivedGuid('serverCallId', call.startedEventId), correlationId: derivedGuid('correlationId', call.startedEventId) };
}

function identifier(participant: ParticipantId) {
  return { rawId: participant, communicationUser: { id: participant } };
}

function callParticipant(participant: ParticipantId, role: Role | undefined) {
  return role === undefined ? { communicationIdentifier: identifier(participant) } : { communicationIdentifier: identifier(participant), role };
}

function roleIn(state: RoomState, participant: ParticipantId): Role | undefined {
  return state.status === 'absent' ? undefined : state.room.roster.get(participant);
}

function envelope(event: StoredEvent, eventType: ServerEventType, subject: string, data: Record<string, unknown>): ServerEvent {
  return { id: guidOfEventId(event.eventId), eventType, subject, eventTime: event.meta.at, data, dataVersion: '1.0', metadataVersion: '1' };
}

function roomSummary(state: RoomState) {
  if (state.status === 'absent') return {};
  const { room } = state;
  return { validFrom: room.validFrom, validUntil: room.validUntil, pstnDialOutEnabled: room.pstnDialOutEnabled };
}

const END_PHRASES: Record<string, string> = {
  lastParticipantLeft: 'The last participant left the call.',
  roomDeleted: 'The room was deleted.',
  expired: "The room's validity window closed.",
};

/**
 * What one event of a room's log says to the room's subscribers: at most one server event, whose id is
 * derived from the log event's. `before` is the room just before the event (its call, its roster); pure.
 */
export function serverEventOf(event: StoredEvent, before: RoomBefore): ServerEvent | null {
  const domain = { type: event.type, data: event.data } as DomainEvent;
  const roomId = event.roomId;
  const room = { id: roomId };
  const callData = (call: CallContext) => ({
    startedBy: callParticipant(call.startedBy, call.startedByRole),
    ...callIds(call),
    group: { id: ZERO_GROUP },
    room,
    isTwoParty: false,
    isRoomsCall: true,
  });
  switch (domain.type) {
    case 'RoomCreated':
      return envelope(event, 'Usher.Rooms.RoomCreated', `rooms/${roomId}`, {
        room,
        createdAt: domain.data.createdAt,
        validFrom: domain.data.validFrom,
        validUntil: domain.data.validUntil,
        pstnDialOutEnabled: domain.data.pstnDialOutEnabled,
      });
    case 'RoomScheduleChanged':
      return envelope(event, 'Usher.Rooms.RoomUpdated', `rooms/${roomId}`, {
        room,
        ...roomSummary(before.state),
        validFrom: domain.data.validFrom,
        validUntil: domain.data.validUntil,
      });
    case 'RoomPstnDialOutChanged':
      return envelope(event, 'Usher.Rooms.RoomUpdated', `rooms/${roomId}`, {
        room,
        ...roomSummary(before.state),
        pstnDialOutEnabled: domain.data.enabled,
      });
    case 'RoomDeleted':
      return envelope(event, 'Usher.Rooms.RoomDeleted', `rooms/${roomId}`, { room });
    case 'ParticipantAdded':
      return envelope(event, 'Usher.Rooms.ParticipantsUpdated', `rooms/${roomId}/participants/${domain.data.participant}`, {
        room,
        change: 'added',
        participant: { rawId: domain.data.participant, role: domain.data.role },
      });
    case 'ParticipantRoleChanged':
      return envelope(event, 'Usher.Rooms.ParticipantsUpdated', `rooms/${roomId}/participants/${domain.data.participant}`, {
        room,
        change: 'roleChanged',
        participant: { rawId: domain.data.participant, role: domain.data.to },
        previousRole: domain.data.from,
      });
    case 'ParticipantRemoved':
      return envelope(event, 'Usher.Rooms.ParticipantsUpdated', `rooms/${roomId}/participants/${domain.data.participant}`, {
        room,
        change: 'removed',
        participant: { rawId: domain.data.participant, role: roleIn(before.state, domain.data.participant) ?? null },
      });
    case 'CallStarted': {
      const call = startedCall(event, before);
      if (call === null) return null;
      return envelope(event, 'Microsoft.Communication.CallStarted', `call/${callIds(call).serverCallId}/startedBy/${call.startedBy}`, callData(call));
    }
    case 'ParticipantJoinedCall': {
      if (before.call === null) return null;
      return envelope(
        event,
        'Microsoft.Communication.CallParticipantAdded',
        `call/${callIds(before.call).serverCallId}/participant/${domain.data.participant}`,
        {
          ...callData(before.call),
          user: callParticipant(domain.data.participant, domain.data.role),
          participantId: derivedGuid('participant', `${before.call.startedEventId}\u0000${domain.data.participant}`),
          userAgent: 'usher',
        },
      );
    }
    case 'ParticipantLeftCall': {
      if (before.call === null) return null;
      const inCall = before.state.status === 'absent' ? undefined : before.state.room.call?.participants[domain.data.participant];
      return envelope(
        event,
        'Microsoft.Communication.CallParticipantRemoved',
        `call/${callIds(before.call).serverCallId}/participant/${domain.data.participant}`,
        {
          ...callData(before.call),
          user: callParticipant(domain.data.participant, inCall?.role ?? roleIn(before.state, domain.data.participant)),
          participantId: derivedGuid('participant', `${before.call.startedEventId}\u0000${domain.data.participant}`),
          userAgent: 'usher',
          reason: domain.data.reason,
        },
      );
    }
    case 'CallEnded': {
      if (before.call === null) return null;
      const seconds = (Date.parse(event.meta.at) - Date.parse(before.call.startedAt)) / 1000;
      return envelope(event, 'Microsoft.Communication.CallEnded', `call/${callIds(before.call).serverCallId}`, {
        ...callData(before.call),
        reason: { code: 0, subCode: 0, phrase: END_PHRASES[domain.data.reason] ?? domain.data.reason },
        callDurationInSeconds: Number.isFinite(seconds) ? Math.max(0, seconds) : 0,
      });
    }
    default:
      return null;
  }
}

/** The call a `CallStarted` starts, with its starter's role from the roster it was checked against. */
function startedCall(event: StoredEvent, before: RoomBefore): CallContext | null {
  if (event.type !== 'CallStarted') return null;
  const data = event.data as { startedBy: ParticipantId; startedAt?: string };
  const role = roleIn(before.state, data.startedBy);
  if (role === undefined) return null;
  return { startedEventId: event.eventId, startedAt: data.startedAt ?? event.meta.at, startedBy: data.startedBy, startedByRole: role };
}

/** The call after an event: a `CallStarted` starts one, a `CallEnded` (or the room's deletion) ends it. */
export function callAfter(event: StoredEvent, before: RoomBefore): CallContext | null {
  if (event.type === 'CallStarted') return startedCall(event, before);
  if (event.type === 'CallEnded' || event.type === 'RoomDeleted' || event.type === 'RoomCreated') return null;
  return before.call;
}

/** The topic a tenant's events are stamped with, in the place ACS puts its resource path. */
export function topicOf(tenantId: TenantId | string): string {
  return `/providers/usher/tenants/${tenantId}`;
}

/** The body of one delivery: Event Grid's schema is a JSON array (one event per delivery), CloudEvents 1.0 one object. */
export function deliveryBody(
  event: ServerEvent,
  tenantId: string,
  schema: 'EventGridSchema' | 'CloudEventSchemaV1_0',
): Record<string, unknown>[] | Record<string, unknown> {
  const topic = topicOf(tenantId);
  if (schema === 'EventGridSchema') return [{ topic, ...event }];
  return {
    specversion: '1.0',
    type: event.eventType,
    source: topic,
    id: event.id,
    time: event.eventTime,
    subject: event.subject,
    datacontenttype: 'application/json',
    data: event.data,
  };
}
