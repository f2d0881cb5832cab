import type Database from 'better-sqlite3';
import { EVENT_COLUMNS, type EventRow } from '../rows.js';
import { statement } from './statement.js';

const SELECT_STREAM_RANGE = `
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE tenant_id = ? AND room_id = ? AND version BETWEEN ? AND ?
  ORDER BY version`;

export function prepareReadStream(db: Database.Database) {
  return statement<[string, string, number, number], EventRow>(db, SELECT_STREAM_RANGE);
}
