import { query } from '@usher/core/store-kit';

export interface StreamRowParams {
  readonly tenantId: string;
  readonly roomId: string;
  readonly status: string;
  readonly state: string;
  readonly createdPosition: number | null;
  readonly createdAt: string | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  /** SQLite has no booleans: 0 or 1. */
  readonly pstnDialOutEnabled: number | null;
  readonly callExpiresAt: string | null;
}

export const UPSERT_STREAM = query<[StreamRowParams]>(`
  INSERT INTO streams (tenant_id, room_id, status, state, created_position,
                       created_at, valid_from, valid_until, pstn_dial_out_enabled, call_expires_at)
  VALUES (@tenantId, @roomId, @status, @state, @createdPosition,
          @createdAt, @validFrom, @validUntil, @pstnDialOutEnabled, @callExpiresAt)
  ON CONFLICT (tenant_id, room_id) DO UPDATE SET
    status = excluded.status,
    state = excluded.state,
    created_position = excluded.created_position,
    created_at = excluded.created_at,
    valid_from = excluded.valid_from,
    valid_until = excluded.valid_until,
    pstn_dial_out_enabled = excluded.pstn_dial_out_enabled,
    call_expires_at = excluded.call_expires_at`);

/**
 * The state alone, when the room's summary columns did not change (a call joined or left, a setting
 * without a column): SQLite maintains every index on a column named in an UPDATE's SET, changed or
 * not, and the stream row has several.
 */
export const UPDATE_STREAM_STATE = query<[string, string, string]>(`
  UPDATE streams SET state = ?
  WHERE tenant_id = ? AND room_id = ?`);

export const UPSERT_PARTICIPANT = query<[string, string, string, string, number]>(`
  INSERT INTO participants (tenant_id, room_id, participant_id, role, seq)
  VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, room_id, participant_id) DO UPDATE SET role = excluded.role, seq = excluded.seq`);

export const CHANGE_PARTICIPANT_ROLE = query<[string, string, string, string]>(`
  UPDATE participants SET role = ?
  WHERE tenant_id = ? AND room_id = ? AND participant_id = ?`);

export const DELETE_PARTICIPANT = query<[string, string, string]>(`
  DELETE FROM participants
  WHERE tenant_id = ? AND room_id = ? AND participant_id = ?`);

export const CLEAR_ROSTER = query<[string, string]>(`
  DELETE FROM participants
  WHERE tenant_id = ? AND room_id = ?`);

/** The request ledger's rule (recordRequest in the store kit): a later run elsewhere or after a gap leaves the record be. */
export const RECORD_REQUEST = query<[string, string, string, number, number, string]>(`
  INSERT INTO requests (tenant_id, request_id, room_id, from_version, to_version, at)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, request_id) DO UPDATE SET to_version = excluded.to_version
  WHERE requests.room_id = excluded.room_id AND requests.to_version = excluded.from_version - 1`);
