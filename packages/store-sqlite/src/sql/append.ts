import type Database from 'better-sqlite3';
import { EVENT_COLUMNS, type EventRow } from '../rows.js';
import { statement } from './statement.js';

const INSERT_EVENT = `
  INSERT INTO events (tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const SELECT_EVENT_BY_ID = `
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE event_id = ?`;

export function prepareAppend(db: Database.Database) {
  return {
    insertEvent: statement<[string, string, number, string, string, number, string, string, string, string]>(db, INSERT_EVENT),
    eventById: statement<[string], EventRow>(db, SELECT_EVENT_BY_ID),
  };
}
