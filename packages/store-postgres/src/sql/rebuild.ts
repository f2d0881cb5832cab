import { query } from '@usher/core/store-kit';

/** The lock usher_append takes: a rebuild holds it, so that no append interleaves. */
export const LOCK_APPENDS = query<[]>('SELECT pg_advisory_xact_lock(7231514)');

/** DELETE, not TRUNCATE: events reference streams (checked at commit, when the rebuild has written them again). */
export const CLEAR_PROJECTIONS = query<[]>('DELETE FROM participants; DELETE FROM requests; DELETE FROM streams');

/** usher_project (see migrations.ts): the projections of a run of one stream's events whose first position is $2 + 1. */
export const PROJECT = query<[string, number, number | null]>('SELECT usher_project($1::jsonb, $2::bigint, $3::bigint)');
