import { query } from '@usher/core/store-kit';

export interface StreamRowParams {
  /** The key the stream was given at its first append (a rebuild gives it back from the log). */
  readonly streamKey: number;
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
  INSERT INTO streams (stream_key, tenant_id, room_id, status, state, created_position,
                       created_at, valid_from, valid_until, pstn_dial_out_enabled, call_expires_at)
  VALUES (@streamKey, @tenantId, @roomId, @status, @state, @createdPosition,
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
export const UPDATE_STREAM_STATE = query<[string, number]>(`
  UPDATE streams SET state = ?
  WHERE stream_key = ?`);

export const UPSERT_PARTICIPANT = query<[number, number, string, string]>(`
  INSERT INTO participants (stream_key, seq, participant_id, role)
  VALUES (?, ?, ?, ?)
  ON CONFLICT (participant_id, stream_key) DO UPDATE SET role = excluded.role, seq = excluded.seq`);

export const CHANGE_PARTICIPANT_ROLE = query<[string, string, number]>(`
  UPDATE participants SET role = ?
  WHERE participant_id = ? AND stream_key = ?`);

export const DELETE_PARTICIPANT = query<[string, number]>(`
  DELETE FROM participants
  WHERE participant_id = ? AND stream_key = ?`);

export const CLEAR_ROSTER = query<[number]>(`
  DELETE FROM participants
  WHERE stream_key = ?`);

/** The request ledger's rule (recordRequest in the store kit): a later run elsewhere or after a gap leaves the record be. */
export const RECORD_REQUEST = query<[string, string, string, number, number, string]>(`
  INSERT INTO requests (tenant_id, request_id, room_id, from_version, to_version, at)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, request_id) DO UPDATE SET to_version = excluded.to_version
  WHERE requests.room_id = excluded.room_id AND requests.to_version = excluded.from_version - 1`);
