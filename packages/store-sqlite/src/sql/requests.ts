import { query } from '@usher/core/store-kit';

export interface RequestRow {
  readonly room_id: string;
  readonly from_version: number;
  readonly to_version: number;
  readonly at: string;
}

export const SELECT_REQUEST = query<[string, string], RequestRow>(`
  SELECT room_id, from_version, to_version, at
  FROM requests
  WHERE tenant_id = ? AND request_id = ?`);
