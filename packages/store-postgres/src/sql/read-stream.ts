export const SELECT_STREAM_RANGE = `
  SELECT position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash
  FROM events
  WHERE tenant_id = $1 AND room_id = $2 AND version BETWEEN $3 AND $4
  ORDER BY version`;
