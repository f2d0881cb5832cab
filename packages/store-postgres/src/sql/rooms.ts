import { ROOM_SUMMARY_COLUMNS } from '@usher/core';

export type { RoomSummaryRow } from '@usher/core';

export const SELECT_ACTIVE_ROOM = `
  SELECT ${ROOM_SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = $1 AND room_id = $2 AND status = 'active'`;

/** Newest first over the partial index of active rooms: a deep page costs what the first does. */
export const SELECT_ACTIVE_ROOMS_PAGE = `
  SELECT ${ROOM_SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = $1 AND status = 'active' AND created_position < $2
  ORDER BY created_position DESC
  LIMIT $3`;
