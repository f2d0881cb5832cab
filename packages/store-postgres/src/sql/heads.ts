export interface HeadRow {
  readonly version: number;
  readonly last_hash: string;
  readonly state: unknown;
  readonly created_position: number | null;
}

export const SELECT_HEAD = `
  SELECT version, last_hash, state, created_position
  FROM streams
  WHERE tenant_id = $1 AND room_id = $2`;
