import type Database from 'better-sqlite3';
import { statement } from './statement.js';

const SELECT_FOLDED_STATE = `
  SELECT version, state
  FROM streams
  WHERE tenant_id = ? AND room_id = ? AND version > 0`;

export function prepareLoadRoom(db: Database.Database) {
  return statement<[string, string], { version: number; state: string }>(db, SELECT_FOLDED_STATE);
}
