import { type ExpiryRow, query } from '@usher/core/store-kit';

/** Over the partial index streams_calls_to_expire: the same condition, word for word. */
export const SELECT_CALLS_TO_EXPIRE = query<[string, number], ExpiryRow>(`
  SELECT tenant_id, room_id, valid_until
  FROM streams
  WHERE status = 'active' AND json_extract(state, '$.room.expiryPolicy') = 'endCall' AND json_type(state, '$.room.call') = 'object'
    AND valid_until <= ?
  ORDER BY valid_until, tenant_id, room_id
  LIMIT ?`);

export const SELECT_NEXT_CALL_EXPIRY = query<[], { next: string | null }>(`
  SELECT min(valid_until) AS next
  FROM streams
  WHERE status = 'active' AND json_extract(state, '$.room.expiryPolicy') = 'endCall' AND json_type(state, '$.room.call') = 'object'`);
