import { query } from '@usher/core/store-kit';

export interface HeadRow {
  readonly version: number;
  readonly last_hash: string;
  readonly state: string;
  readonly created_position: number | null;
}

/** Enough to tell whether a head this process already holds is still the current one. */
export const SELECT_HEAD_VERSION = query<[string, string], { version: number; last_hash: string }>(`
  SELECT version, last_hash
  FROM streams
  WHERE tenant_id = ? AND room_id = ?`);

export const SELECT_HEAD = query<[string, string], HeadRow>(`
  SELECT version, last_hash, state, created_position
  FROM streams
  WHERE tenant_id = ? AND room_id = ?`);

/** Changes whenever another connection commits (this connection's own commits leave it be). */
export const SELECT_DATA_VERSION = query<[], { data_version: number }>(`PRAGMA data_version`);
