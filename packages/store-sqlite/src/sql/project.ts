import type Database from 'better-sqlite3';
import { statement } from './statement.js';

const UPSERT_STREAM = `
  INSERT INTO streams (tenant_id, room_id, version, last_hash, status, state, created_position,
                       created_at, valid_from, valid_until, pstn_dial_out_enabled)
  VALUES (@tenantId, @roomId, @version, @lastHash, @status, @state, @createdPosition,
          @createdAt, @validFrom, @validUntil, @pstnDialOutEnabled)
  ON CONFLICT (tenant_id, room_id) DO UPDATE SET
    version = excluded.version,
    last_hash = excluded.last_hash,
    status = excluded.status,
    state = excluded.state,
    created_position = excluded.created_position,
    created_at = excluded.created_at,
    valid_from = excluded.valid_from,
    valid_until = excluded.valid_until,
    pstn_dial_out_enabled = excluded.pstn_dial_out_enabled`;

const UPSERT_PARTICIPANT = `
  INSERT INTO participants (tenant_id, room_id, participant_id, role, seq)
  VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, room_id, participant_id) DO UPDATE SET role = excluded.role, seq = excluded.seq`;

const CHANGE_PARTICIPANT_ROLE = `
  UPDATE participants SET role = ?
  WHERE tenant_id = ? AND room_id = ? AND participant_id = ?`;

const DELETE_PARTICIPANT = `
  DELETE FROM participants
  WHERE tenant_id = ? AND room_id = ? AND participant_id = ?`;

const CLEAR_ROSTER = `
  DELETE FROM participants
  WHERE tenant_id = ? AND room_id = ?`;

/** A request id names the contiguous run of events it first appended to one room; later runs elsewhere leave it be. */
const RECORD_REQUEST = `
  INSERT INTO requests (tenant_id, request_id, room_id, from_version, to_version, at)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, request_id) DO UPDATE SET to_version = excluded.to_version
  WHERE requests.room_id = excluded.room_id AND requests.to_version = excluded.from_version - 1`;

export interface StreamRowParams {
  readonly tenantId: string;
  readonly roomId: string;
  readonly version: number;
  readonly lastHash: string;
  readonly status: string;
  readonly state: string;
  readonly createdPosition: number | null;
  readonly createdAt: string | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly pstnDialOutEnabled: number | null;
}

export function prepareProject(db: Database.Database) {
  return {
    upsertStream: statement<[StreamRowParams]>(db, UPSERT_STREAM),
    upsertParticipant: statement<[string, string, string, string, number]>(db, UPSERT_PARTICIPANT),
    changeParticipantRole: statement<[string, string, string, string]>(db, CHANGE_PARTICIPANT_ROLE),
    deleteParticipant: statement<[string, string, string]>(db, DELETE_PARTICIPANT),
    clearRoster: statement<[string, string]>(db, CLEAR_ROSTER),
    recordRequest: statement<[string, string, string, number, number, string]>(db, RECORD_REQUEST),
  };
}
