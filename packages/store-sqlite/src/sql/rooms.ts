import { query, ROOM_SUMMARY_COLUMNS, type RoomSummaryRow } from '@usher/core/store-kit';

export const SELECT_ACTIVE_ROOM = query<[string, string], RoomSummaryRow>(`
  SELECT ${ROOM_SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = ? AND room_id = ? AND status = 'active'`);

/**
 * Newest first by creation time, then room id, past the last row of the previous page; the partial
 * index holds active rooms only, so deleted rooms cost nothing to page past.
 */
export const SELECT_ACTIVE_ROOMS_PAGE = query<[string, string, string, number], RoomSummaryRow>(`
  SELECT ${ROOM_SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = ? AND status = 'active' AND (created_at, room_id) < (?, ?)
  ORDER BY created_at DESC, room_id DESC
  LIMIT ?`);
