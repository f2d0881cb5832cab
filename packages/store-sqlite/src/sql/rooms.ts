import { ROOM_SUMMARY_COLUMNS, type RoomSummaryRow } from '@usher/core';
import type Database from 'better-sqlite3';
import { statement } from './statement.js';

export type { RoomSummaryRow } from '@usher/core';

const SELECT_ACTIVE_ROOM = `
  SELECT ${ROOM_SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = ? AND room_id = ? AND status = 'active'`;

/** Newest first; the partial index holds active rooms only, so deleted rooms cost nothing to page past. */
const SELECT_ACTIVE_ROOMS_PAGE = `
  SELECT ${ROOM_SUMMARY_COLUMNS}
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
