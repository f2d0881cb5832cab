import type { EventMeta, RoomEvent, StoredEvent } from '@usher/core';

export interface EventRow {
  readonly position: number;
  readonly tenant_id: string;
  readonly room_id: string;
  readonly version: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: unknown;
  readonly meta: unknown;
  readonly prev_hash: string;
  readonly hash: string;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: row.position,
    tenantId: row.tenant_id,
    roomId: row.room_id,
    version: row.version,
    eventId: row.event_id,
    ...({ type: row.type, data: row.data } as RoomEvent),
    schemaVersion: row.schema_version,
    meta: row.meta as EventMeta,
    prevHash: row.prev_hash,
    hash: row.hash,
  } as StoredEvent;
}
