import type Database from 'better-sqlite3';
import { EVENT_COLUMNS, type EventRow } from '../rows.js';
import { statement } from './statement.js';

export interface StreamHeadRow {
  readonly version: number;
  readonly last_hash: string;
  readonly state: string;
  readonly created_position: number | null;
}

const SELECT_HEAD = `
  SELECT version, last_hash, state, created_position
  FROM streams
  WHERE tenant_id = ? AND room_id = ?`;

const INSERT_EVENT = `
  INSERT INTO events (tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const SELECT_EVENT_BY_ID = `
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE event_id = ?`;

export function prepareAppend(db: Database.Database) {
  return {
    head: statement<[string, string], StreamHeadRow>(db, SELECT_HEAD),
    insertEvent: statement<[string, string, number, string, string, number, string, string, string, string]>(db, INSERT_EVENT),
    eventById: statement<[string], EventRow>(db, SELECT_EVENT_BY_ID),
  };
}
