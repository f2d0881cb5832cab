import {
  DEAD_LETTER_COLUMNS,
  EVENT_SUBSCRIPTION_COLUMNS,
  query,
  type DeadLetterRow as StoreKitDeadLetterRow,
  type EventSubscriptionRow as StoreKitSubscriptionRow,
} from '@usher/core/store-kit';

/** How this store's JSON columns arrive. */
export type EventSubscriptionRow = StoreKitSubscriptionRow<unknown>;
export type DeadLetterRow = StoreKitDeadLetterRow<unknown>;

export const SELECT_EVENT_SUBSCRIPTION = query<[string, string], EventSubscriptionRow>(`
  SELECT ${EVENT_SUBSCRIPTION_COLUMNS}
  FROM event_subscriptions
  WHERE tenant_id = $1 AND name = $2`);

/** In name order (byte order: the column's collation is "C"), past the last name of the previous page ('' for the first). */
export const SELECT_EVENT_SUBSCRIPTIONS_PAGE = query<[string, string, number], EventSubscriptionRow>(`
  SELECT ${EVENT_SUBSCRIPTION_COLUMNS}
  FROM event_subscriptions
  WHERE tenant_id = $1 AND name > $2
  ORDER BY name
  LIMIT $3`);

export const SELECT_ALL_EVENT_SUBSCRIPTIONS = query<[], EventSubscriptionRow>(`
  SELECT ${EVENT_SUBSCRIPTION_COLUMNS}
  FROM event_subscriptions
  ORDER BY tenant_id COLLATE "C", name`);

/**
 * A replaced subscription keeps its created_at and start_after. A row inserted has no xmax yet, one
 * updated by ON CONFLICT has this transaction's: so `created` says which it was, even under a race.
 */
export const UPSERT_EVENT_SUBSCRIPTION = query<[string, string, string, string | null, string, string | null, string, number], { created: boolean }>(`
  INSERT INTO event_subscriptions (${EVENT_SUBSCRIPTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (tenant_id, name) DO UPDATE SET
    endpoint_url = excluded.endpoint_url, included_event_types = excluded.included_event_types,
    event_delivery_schema = excluded.event_delivery_schema, secret = excluded.secret
  RETURNING (xmax = 0) AS created`);

/** The subscription and its letters, in one statement; a row answered means it existed. */
export const DELETE_EVENT_SUBSCRIPTION = query<[string, string], { name: string }>(`
  WITH letters AS (DELETE FROM dead_letters WHERE tenant_id = $1 AND subscription = $2)
  DELETE FROM event_subscriptions WHERE tenant_id = $1 AND name = $2
  RETURNING name`);

/** A letter recorded again for the same event replaces the earlier one. */
export const UPSERT_DEAD_LETTER = query<[string, string, string, number, string, string, number, string, string, boolean]>(`
  INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (tenant_id, subscription, event_id) DO UPDATE SET
    position = excluded.position, event_type = excluded.event_type, event = excluded.event, attempts = excluded.attempts,
    last_error = excluded.last_error, dead_lettered_at = excluded.dead_lettered_at, queued = excluded.queued`);

/** In position order, then event id, past the last letter of the previous page, over dead_letters_by_position. */
export const SELECT_DEAD_LETTERS_PAGE = query<[string, string, number, string, number], DeadLetterRow>(`
  SELECT ${DEAD_LETTER_COLUMNS}
  FROM dead_letters
  WHERE tenant_id = $1 AND subscription = $2 AND (position, event_id) > ($3, $4)
  ORDER BY position, event_id
  LIMIT $5`);

/** How many letters the subscription has, queued already or not. */
export const QUEUE_REDELIVERY = query<[string, string], { queued: number }>(`
  WITH queued AS (UPDATE dead_letters SET queued = true WHERE tenant_id = $1 AND subscription = $2 RETURNING 1)
  SELECT count(*) AS queued FROM queued`);

/** Every tenant's queued letters over the partial index dead_letters_queued. */
export const SELECT_QUEUED_DEAD_LETTERS = query<[number], DeadLetterRow>(`
  SELECT ${DEAD_LETTER_COLUMNS}
  FROM dead_letters
  WHERE queued
  ORDER BY position, event_id, tenant_id COLLATE "C", subscription
  LIMIT $1`);

export const DELETE_DEAD_LETTER = query<[string, string, string]>(
  'DELETE FROM dead_letters WHERE tenant_id = $1 AND subscription = $2 AND event_id = $3',
);
