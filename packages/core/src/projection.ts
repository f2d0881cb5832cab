import type { RoomEvent } from './events.js';
import type { ParticipantId, StreamKey } from './ids.js';
import type { RoomSummary } from './ports.js';
import type { Role } from './roles.js';
import type { Room } from './state.js';

/** How one event changes the roster read model; every store applies these the same way. */
export type RosterChange =
  | { readonly kind: 'add'; readonly participant: ParticipantId; readonly role: Role }
  | { readonly kind: 'changeRole'; readonly participant: ParticipantId; readonly role: Role }
  | { readonly kind: 'remove'; readonly participant: ParticipantId }
  | { readonly kind: 'clear' };

export function rosterChange(event: RoomEvent): RosterChange | null {
  switch (event.type) {
    case 'ParticipantAdded':
      return { kind: 'add', participant: event.data.participant, role: event.data.role };
    case 'ParticipantRoleChanged':
      return { kind: 'changeRole', participant: event.data.participant, role: event.data.to };
    case 'ParticipantRemoved':
      return { kind: 'remove', participant: event.data.participant };
    case 'RoomDeleted':
      return { kind: 'clear' };
    default:
      return null;
  }
}

export function summaryOf(stream: StreamKey, room: Room): RoomSummary {
  return {
    tenantId: stream.tenantId,
    roomId: stream.roomId,
    createdAt: room.createdAt,
    validFrom: room.validFrom,
    validUntil: room.validUntil,
    pstnDialOutEnabled: room.pstnDialOutEnabled,
  };
}
