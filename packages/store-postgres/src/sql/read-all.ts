import { EVENT_COLUMNS, query } from '@usher/core/store-kit';
import type { EventRow } from '../rows.js';

/** Gap-free: appends commit one at a time in position order (the advisory lock in usher_append). */
export const SELECT_AFTER_POSITION = query<[number, number], EventRow>(`
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE position > $1
  ORDER BY position
  LIMIT $2`);

export const COUNT_EVENTS = query<[], { total: number }>('SELECT count(*)::bigint AS total FROM events');

/** The last committed position: the end of the primary key's index, not a scan. */
export const SELECT_HEAD_POSITION = query<[], { position: string | null }>('SELECT max(position)::bigint AS position FROM events');
