export const SELECT_REQUEST = `
  SELECT room_id, from_version, to_version, at
  FROM requests
  WHERE tenant_id = $1 AND request_id = $2`;
