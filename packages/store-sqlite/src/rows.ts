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

/**
 * A column that no longer parses (the file was altered behind the store's back) is read as a marker
 * holding the text, so that reading still works and verification names the event whose hash broke.
 */
function storedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { unreadableJson: text };
  }
}

/** The log is trusted: what was appended through the core is read back as the event it was. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: row.position,
    tenantId: row.tenant_id,
    roomId: row.room_id,
    version: row.version,
    eventId: row.event_id,
    ...({ type: row.type, data: storedJson(row.data) } as RoomEvent),
    schemaVersion: row.schema_version,
    meta: storedJson(row.meta) as EventMeta,
    prevHash: row.prev_hash,
    hash: row.hash,
  } as StoredEvent;
}
