import type Database from 'better-sqlite3';
import { statement } from './statement.js';

export interface RoomSummaryRow {
  readonly tenant_id: string;
  readonly room_id: string;
  readonly created_position: number;
  readonly created_at: string;
  readonly valid_from: string;
  readonly valid_until: string;
  readonly pstn_dial_out_enabled: number;
}

const SUMMARY_COLUMNS = 'tenant_id, room_id, created_position, created_at, valid_from, valid_until, pstn_dial_out_enabled';

const SELECT_ACTIVE_ROOM = `
  SELECT ${SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = ? AND room_id = ? AND status = 'active'`;

/** Newest first; the partial index holds active rooms only, so deleted rooms cost nothing to page past. */
const SELECT_ACTIVE_ROOMS_PAGE = `
  SELECT ${SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = ? AND status = 'active' AND created_position < ?
  ORDER BY created_position DESC
  LIMIT ?`;

export function prepareRooms(db: Database.Database) {
  return {
    get: statement<[string, string], RoomSummaryRow>(db, SELECT_ACTIVE_ROOM),
    page: statement<[string, number, number], RoomSummaryRow>(db, SELECT_ACTIVE_ROOMS_PAGE),
  };
}
