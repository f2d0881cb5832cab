import type Database from 'better-sqlite3';
import { statement } from './statement.js';

export interface StreamHeadRow {
  readonly version: number;
  readonly last_hash: string;
  readonly state: string;
  readonly created_position: number | null;
}

/** Enough to tell whether a head this process already holds is still the current one. */
const SELECT_HEAD_VERSION = `
  SELECT version, last_hash
  FROM streams
  WHERE tenant_id = ? AND room_id = ?`;

const SELECT_HEAD = `
  SELECT version, last_hash, state, created_position
  FROM streams
  WHERE tenant_id = ? AND room_id = ?`;

export function prepareHeads(db: Database.Database) {
  return {
    version: statement<[string, string], { version: number; last_hash: string }>(db, SELECT_HEAD_VERSION),
    full: statement<[string, string], StreamHeadRow>(db, SELECT_HEAD),
  };
}
