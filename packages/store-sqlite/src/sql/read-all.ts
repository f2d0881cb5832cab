import { EVENT_COLUMNS, query } from '@usher/core/store-kit';
import type { EventRow } from '../rows.js';

/** Gap-free: one writer at a time assigns positions in commit order, and a reader sees a committed prefix. */
export const SELECT_AFTER_POSITION = query<[number, number], EventRow>(`
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE position > ?
  ORDER BY position
  LIMIT ?`);

export const COUNT_EVENTS = query<[], { total: number }>('SELECT count(*) AS total FROM events');

/** The last position: the end of the rowid B-tree, not a scan. */
export const SELECT_HEAD_POSITION = query<[], { position: number | null }>('SELECT max(position) AS position FROM events');
