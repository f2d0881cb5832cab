import type { EventMeta, RoomEvent, StoredEvent } from '@usher/core';

export interface EventRow {
  readonly position: number;
  readonly tenant_id: string;
  readonly room_id: string;
  readonly version: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly meta: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export const EVENT_COLUMNS = 'position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash';

/** The log is trusted: what was appended through the core is read back as the event it was. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: row.position,
    tenantId: row.tenant_id,
    roomId: row.room_id,
    version: row.version,
    eventId: row.event_id,
    ...({ type: row.type, data: JSON.parse(row.data) } as RoomEvent),
    schemaVersion: row.schema_version,
    meta: JSON.parse(row.meta) as EventMeta,
    prevHash: row.prev_hash,
    hash: row.hash,
  } as StoredEvent;
}
