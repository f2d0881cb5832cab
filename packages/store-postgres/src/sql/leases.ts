import { query } from '@usher/core/store-kit';

/** Taken when free, lapsed (its end is not after now) or already the holder's; a row answered means taken. */
export const ACQUIRE_LEASE = query<[string, string, string, string], { holder: string }>(`
  INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
  WHERE leases.holder = excluded.holder OR leases.until <= $4
  RETURNING holder`);

export const RELEASE_LEASE = query<[string, string]>('DELETE FROM leases WHERE name = $1 AND holder = $2');
