import type { StoredEvent } from '@usher/core';
import { eventFromRow, type EventRow as KitEventRow } from '@usher/core/store-kit';

/** jsonb columns arrive parsed. */
export type EventRow = KitEventRow<unknown>;

export function toStoredEvent(row: EventRow): StoredEvent {
  return eventFromRow(row, (value) => value);
}
