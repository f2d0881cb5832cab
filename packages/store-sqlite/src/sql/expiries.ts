import { type ExpiryRow, query } from '@usher/core/store-kit';

/** Over the partial index streams_calls_to_expire (call_expires_at is set while an endCall room has a call on). */
export const SELECT_CALLS_TO_EXPIRE = query<[string, number], ExpiryRow>(`
  SELECT tenant_id, room_id, call_expires_at AS valid_until
  FROM streams
  WHERE call_expires_at IS NOT NULL AND call_expires_at <= ?
  ORDER BY call_expires_at, tenant_id, room_id
  LIMIT ?`);

export const SELECT_NEXT_CALL_EXPIRY = query<[], { next: string | null }>(`
  SELECT min(call_expires_at) AS next
  FROM streams
  WHERE call_expires_at IS NOT NULL`);
