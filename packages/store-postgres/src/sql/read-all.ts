/** Gap-free: appends commit one at a time in position order (the advisory lock in usher_append). */
export const SELECT_AFTER_POSITION = `
  SELECT position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash
  FROM events
  WHERE position > $1
  ORDER BY position
  LIMIT $2`;

export const COUNT_EVENTS = 'SELECT count(*)::bigint AS total FROM events';
