import { type EventRow as CoreEventRow, eventFromRow, type StoredEvent } from '@usher/core';

/** jsonb columns arrive parsed. */
export type EventRow = CoreEventRow<unknown>;

export function toStoredEvent(row: EventRow): StoredEvent {
  return eventFromRow(row, (value) => value);
}
