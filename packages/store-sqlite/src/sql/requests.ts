import type Database from 'better-sqlite3';
import { statement } from './statement.js';

export interface RequestRow {
  readonly room_id: string;
  readonly from_version: number;
  readonly to_version: number;
  readonly at: string;
}

const SELECT_REQUEST = `
  SELECT room_id, from_version, to_version, at
  FROM requests
  WHERE tenant_id = ? AND request_id = ?`;

export function prepareRequests(db: Database.Database) {
  return statement<[string, string], RequestRow>(db, SELECT_REQUEST);
}
