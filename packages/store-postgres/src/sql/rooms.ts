export interface RoomSummaryRow {
  readonly tenant_id: string;
  readonly room_id: string;
  readonly created_position: number;
  readonly created_at: string;
  readonly valid_from: string;
  readonly valid_until: string;
  readonly pstn_dial_out_enabled: boolean;
}

const SUMMARY_COLUMNS = 'tenant_id, room_id, created_position, created_at, valid_from, valid_until, pstn_dial_out_enabled';

export const SELECT_ACTIVE_ROOM = `
  SELECT ${SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = $1 AND room_id = $2 AND status = 'active'`;

/** Newest first over the partial index of active rooms: a deep page costs what the first does. */
export const SELECT_ACTIVE_ROOMS_PAGE = `
  SELECT ${SUMMARY_COLUMNS}
  FROM streams
  WHERE tenant_id = $1 AND status = 'active' AND created_position < $2
  ORDER BY created_position DESC
  LIMIT $3`;
