import { EVENT_COLUMNS, query } from '@usher/core/store-kit';
import type { EventRow } from '../rows.js';

export const SELECT_STREAM_RANGE = query<[string, string, number, number], EventRow>(`
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE tenant_id = $1 AND room_id = $2 AND version BETWEEN $3 AND $4
  ORDER BY version`);
