import { EVENT_COLUMNS, query } from '@usher/core/store-kit';
import type { EventRow } from '../rows.js';

export const SELECT_STREAM_RANGE = query<[string, string, number, number], EventRow>(`
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE stream_key = (SELECT stream_key FROM streams WHERE tenant_id = ? AND room_id = ?)
    AND version BETWEEN ? AND ?
  ORDER BY version`);
