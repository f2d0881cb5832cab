import type Database from 'better-sqlite3';
import { statement } from './statement.js';

const SELECT_CHECKPOINT = 'SELECT position FROM checkpoints WHERE name = ?';

const UPSERT_CHECKPOINT = `
  INSERT INTO checkpoints (name, position) VALUES (?, ?)
  ON CONFLICT (name) DO UPDATE SET position = excluded.position`;

export function prepareCheckpoints(db: Database.Database) {
  return {
    get: statement<[string], { position: number }>(db, SELECT_CHECKPOINT),
    set: statement<[string, number]>(db, UPSERT_CHECKPOINT),
  };
}
