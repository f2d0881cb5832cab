import { query } from '@usher/core/store-kit';

export interface HeadRow {
  readonly version: number;
  readonly last_hash: string;
  readonly state: string;
  readonly created_position: number | null;
}

/**
 * Enough to tell whether a head this process already holds is still the current one: the stream's
 * last event.
 */
export const SELECT_HEAD_VERSION = query<[string, string], { version: number; last_hash: string }>(`
  SELECT version, hash AS last_hash
  FROM events
  WHERE tenant_id = ? AND room_id = ?
  ORDER BY version DESC
  LIMIT 1`);

/** The stream's last event with the stream's row: none while the stream has no row (a rebuild that has not reached it). */
export const SELECT_HEAD = query<[{ readonly tenantId: string; readonly roomId: string }], HeadRow>(`
  SELECT last_event.version, last_event.hash AS last_hash, streams.state, streams.created_position
  FROM streams,
       (SELECT version, hash
        FROM events
        WHERE tenant_id = @tenantId AND room_id = @roomId
        ORDER BY version DESC
        LIMIT 1) AS last_event
  WHERE streams.tenant_id = @tenantId AND streams.room_id = @roomId`);

/** Changes whenever another connection commits (this connection's own commits leave it be). */
export const SELECT_DATA_VERSION = query<[], { data_version: number }>(`PRAGMA data_version`);
