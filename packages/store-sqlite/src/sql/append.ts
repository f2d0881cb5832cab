import { EVENT_COLUMNS, query } from '@usher/core/store-kit';
import type { EventRow } from '../rows.js';

/**
 * The key of a stream's first append: its row, made now so that the log and the roster can key on it;
 * the projection fills the row in the same transaction.
 */
export const OPEN_STREAM = query<[string, string], { stream_key: number }>(`
  INSERT INTO streams (tenant_id, room_id, status, state)
  VALUES (?, ?, 'absent', '{"status":"absent"}')
  ON CONFLICT (tenant_id, room_id) DO UPDATE SET status = streams.status
  RETURNING stream_key`);

export const INSERT_EVENT = query<[number, string, string, number, string, string, number, string, string, string, string]>(`
  INSERT INTO events (stream_key, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

export const SELECT_EVENT_BY_ID = query<[string], EventRow>(`
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE event_id = ?`);
