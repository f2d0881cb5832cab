import { query, ROOM_SUMMARY_COLUMNS, type RoomSummaryRow } from '@usher/core/store-kit';

export const SELECT_ACTIVE_ROOM = query<[string, string], RoomSummaryRow>(`
  SELECT ${ROOM_SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = $1 AND room_id = $2 AND status = 'active'`);

/**
 * Newest first by creation time, then room id (byte order), past the last row of the previous page,
 * over the partial index of active rooms: a deep page costs what the first does.
 */
export const SELECT_ACTIVE_ROOMS_PAGE = query<[string, string, string, number], RoomSummaryRow>(`
  SELECT ${ROOM_SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = $1 AND status = 'active' AND (created_at COLLATE "C", room_id COLLATE "C") < ($2, $3)
  ORDER BY created_at COLLATE "C" DESC, room_id COLLATE "C" DESC
  LIMIT $4`);
