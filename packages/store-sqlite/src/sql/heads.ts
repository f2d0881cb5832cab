import { query } from '@usher/core/store-kit';

export interface HeadRow {
  readonly stream_key: number;
  readonly version: number;
  readonly last_hash: string;
  readonly state: string;
  readonly created_position: number | null;
}

/** Enough to tell whether a head this process already holds is still the current one: the stream's last event. */
export const SELECT_HEAD_VERSION = query<[number], { version: number; last_hash: string }>(`
  SELECT version, hash AS last_hash
  FROM events
  WHERE stream_key = ?
  ORDER BY version DESC
  LIMIT 1`);

/** The stream's row with its last event: none while the stream has no row (a rebuild that has not reached it). */
export const SELECT_HEAD = query<[string, string], HeadRow>(`
  SELECT streams.stream_key, events.version, events.hash AS last_hash, streams.state, streams.created_position
  FROM streams JOIN events ON events.stream_key = streams.stream_key
  WHERE streams.tenant_id = ? AND streams.room_id = ?
  ORDER BY events.version DESC
  LIMIT 1`);

/** Changes whenever another connection commits (this connection's own commits leave it be). */
export const SELECT_DATA_VERSION = query<[], { data_version: number }>(`PRAGMA data_version`);
