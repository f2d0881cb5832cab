import { EVENT_COLUMNS, query } from '@usher/core/store-kit';
import type { EventRow } from '../rows.js';

export const INSERT_EVENT = query<[string, string, number, string, string, number, string, string, string, string]>(`
  INSERT INTO events (tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

export const SELECT_EVENT_BY_ID = query<[string], EventRow>(`
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE event_id = ?`);
