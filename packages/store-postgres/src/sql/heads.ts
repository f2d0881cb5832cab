import { query } from '@usher/core/store-kit';

export interface HeadRow {
  readonly version: number;
  readonly last_hash: string;
  /** jsonb arrives parsed. */
  readonly state: unknown;
  readonly created_position: number | null;
}

export const SELECT_HEAD = query<[string, string], HeadRow>(`
  SELECT version, last_hash, state, created_position
  FROM streams
  WHERE tenant_id = $1 AND room_id = $2`);

/** Enough to tell whether a head this node already holds is still the current one. */
export const SELECT_HEAD_VERSION = query<[string, string], { version: number; last_hash: string }>(`
  SELECT version, last_hash
  FROM streams
  WHERE tenant_id = $1 AND room_id = $2`);
