import { query, type RequestRow } from '@usher/core/store-kit';

export const SELECT_REQUEST = query<[string, string], RequestRow>(`
  SELECT room_id, from_version, to_version, at
  FROM requests
  WHERE tenant_id = $1 AND request_id = $2`);
