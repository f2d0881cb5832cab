import type { StreamKey } from './ids.js';
import type { RoomSummary } from './ports.js';
import type { Room } from './state.js';

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
