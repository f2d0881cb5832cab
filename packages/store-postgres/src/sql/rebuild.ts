export const LOCK_APPENDS = 'SELECT pg_advisory_xact_lock(7231514)';

/** DELETE, not TRUNCATE: events reference streams (checked at commit, when the rebuild has written them again). */
export const CLEAR_PROJECTIONS = 'DELETE FROM participants; DELETE FROM requests; DELETE FROM streams';

export const PROJECT = 'SELECT usher_project($1::jsonb, $2::bigint, $3::bigint)';
