import type { StoredEvent } from '@usher/core';
import { eventFromRow, type EventRow as KitEventRow } from '@usher/core/store-kit';

/** JSON columns are TEXT in SQLite. */
export type EventRow = KitEventRow<string>;

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

export function toStoredEvent(row: EventRow): StoredEvent {
  return eventFromRow(row, storedJson);
}
