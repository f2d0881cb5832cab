import { EVENT_COLUMNS, query } from '@usher/core/store-kit';
import type { EventRow } from '../rows.js';

/**
 * What usher_append answers: the positions it gave the events, or why it wrote nothing — some event id
 * is stored already, the expected version does not hold, or the head the node computed from is stale
 * (then with the current head).
 */
export type AppendOutcome =
  | { readonly status: 'ok'; readonly positions: number[] }
  /** In a batch only: the append failed on its own (its subtransaction rolled back), with the database's message. */
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'duplicate' }
  | { readonly status: 'conflict'; readonly actual: number }
  | {
      readonly status: 'stale';
      readonly version: number;
      readonly lastHash: string | null;
      readonly state: unknown;
      readonly createdPosition: number | null;
    };

/** One round trip: the whole append, its checks and its projections run in usher_append (see migrations.ts). */
export const APPEND = query<[string], { outcome: AppendOutcome }>('SELECT usher_append($1::jsonb) AS outcome');

/** Group commit: several appends in one transaction and one round trip, each in a subtransaction of its own (see migrations.ts, version 4). */
export const APPEND_BATCH = query<[string], { outcomes: AppendOutcome[] }>('SELECT usher_append_batch($1::jsonb) AS outcomes');

export const SELECT_EVENTS_BY_ID = query<[string[]], EventRow>(`
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE event_id = ANY($1::text[])`);
