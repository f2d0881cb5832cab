import { EVENT_COLUMNS, query } from '@usher/core/store-kit';
import type { EventRow } from '../rows.js';

export const CLEAR_PROJECTIONS = query<[]>(`
  DELETE FROM streams;
  DELETE FROM participants;
  DELETE FROM requests;`);

/** The log in order with each event's stream key, which the rebuilt stream row takes back. */
export const SELECT_KEYED_AFTER_POSITION = query<[number, number], EventRow & { readonly stream_key: number }>(`
  SELECT ${EVENT_COLUMNS}, stream_key
  FROM events
  WHERE position > ?
  ORDER BY position
  LIMIT ?`);
