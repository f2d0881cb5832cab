/** One round trip: the whole append, its checks and its projections run in usher_append (see migrations.ts). */
export const APPEND = 'SELECT usher_append($1::jsonb) AS outcome';

export const EVENTS_BY_ID = `
  SELECT position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash
  FROM events
  WHERE event_id = ANY($1::text[])`;
