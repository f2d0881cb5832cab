import type Database from 'better-sqlite3';
import { statement } from './statement.js';

export interface ParticipantRow {
  readonly participant_id: string;
  readonly role: string;
  readonly seq: number;
}

const SELECT_ROSTER_PAGE = `
  SELECT participant_id, role, seq
  FROM participants
  WHERE tenant_id = ? AND room_id = ? AND seq > ?
  ORDER BY seq
  LIMIT ?`;

export function prepareParticipants(db: Database.Database) {
  return statement<[string, string, number, number], ParticipantRow>(db, SELECT_ROSTER_PAGE);
}
