import { query, ROOM_SUMMARY_COLUMNS, type RoomSummaryRow } from '@usher/core/store-kit';

export const SELECT_ACTIVE_ROOM = query<[string, string], RoomSummaryRow>(`
  SELECT ${ROOM_SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = $1 AND room_id = $2 AND status = 'active'`);

/** Newest first over the partial index of active rooms: a deep page costs what the first does. */
export const SELECT_ACTIVE_ROOMS_PAGE = query<[string, number, number], RoomSummaryRow>(`
  SELECT ${ROOM_SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = $1 AND status = 'active' AND created_position < $2
  ORDER BY created_position DESC
  LIMIT $3`);
