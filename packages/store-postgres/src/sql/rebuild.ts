export const LOCK_APPENDS = 'SELECT pg_advisory_xact_lock(7231514)';

export const CLEAR_PROJECTIONS = 'TRUNCATE streams, participants, requests';

export const PROJECT = 'SELECT usher_project($1::jsonb, $2::bigint, $3::bigint)';
