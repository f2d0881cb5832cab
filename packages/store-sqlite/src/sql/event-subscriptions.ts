import {
  DEAD_LETTER_COLUMNS,
  EVENT_SUBSCRIPTION_COLUMNS,
  query,
  type DeadLetterRow as StoreKitDeadLetterRow,
  type EventSubscriptionRow as StoreKitSubscriptionRow,
} from '@usher/core/store-kit';

/** How this store's JSON columns arrive. */
export type EventSubscriptionRow = StoreKitSubscriptionRow<string>;
export type DeadLetterRow = StoreKitDeadLetterRow<string>;

export const SELECT_EVENT_SUBSCRIPTION = query<[string, string], EventSubscriptionRow>(`
  SELECT ${EVENT_SUBSCRIPTION_COLUMNS}
  FROM event_subscriptions
  WHERE tenant_id = ? AND name = ?`);

/** In name order, past the last name of the previous page ('' for the first). */
export const SELECT_EVENT_SUBSCRIPTIONS_PAGE = query<[string, string, number], EventSubscriptionRow>(`
  SELECT ${EVENT_SUBSCRIPTION_COLUMNS}
  FROM event_subscriptions
  WHERE tenant_id = ? AND name > ?
  ORDER BY name
  LIMIT ?`);

export const SELECT_ALL_EVENT_SUBSCRIPTIONS = query<[], EventSubscriptionRow>(`
  SELECT ${EVENT_SUBSCRIPTION_COLUMNS}
  FROM event_subscriptions
  ORDER BY tenant_id, name`);

/** A replaced subscription keeps its created_at and start_after. */
export const UPSERT_EVENT_SUBSCRIPTION = query<[string, string, string, string | null, string, string | null, string, number]>(`
  INSERT INTO event_subscriptions (${EVENT_SUBSCRIPTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, name) DO UPDATE SET
    endpoint_url = excluded.endpoint_url, included_event_types = excluded.included_event_types,
    event_delivery_schema = excluded.event_delivery_schema, secret = excluded.secret`);

export const DELETE_EVENT_SUBSCRIPTION = query<[string, string]>('DELETE FROM event_subscriptions WHERE tenant_id = ? AND name = ?');

export const DELETE_DEAD_LETTERS_OF = query<[string, string]>('DELETE FROM dead_letters WHERE tenant_id = ? AND subscription = ?');

/** A letter recorded again for the same event replaces the earlier one. */
export const UPSERT_DEAD_LETTER = query<[string, string, string, number, string, string, number, string, string, number]>(`
  INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, subscription, event_id) DO UPDATE SET
    position = excluded.position, event_type = excluded.event_type, event = excluded.event, attempts = excluded.attempts,
    last_error = excluded.last_error, dead_lettered_at = excluded.dead_lettered_at, queued = excluded.queued`);

/** In position order, then event id, past the last letter of the previous page, over dead_letters_by_position. */
export const SELECT_DEAD_LETTERS_PAGE = query<[string, string, number, string, number], DeadLetterRow>(`
  SELECT ${DEAD_LETTER_COLUMNS}
  FROM dead_letters
  WHERE tenant_id = ? AND subscription = ? AND (position, event_id) > (?, ?)
  ORDER BY position, event_id
  LIMIT ?`);

/** Its changes are the subscription's letters, queued already or not. */
export const QUEUE_REDELIVERY = query<[string, string]>('UPDATE dead_letters SET queued = 1 WHERE tenant_id = ? AND subscription = ?');

/** Every tenant's queued letters over the partial index dead_letters_queued. */
export const SELECT_QUEUED_DEAD_LETTERS = query<[number], DeadLetterRow>(`
  SELECT ${DEAD_LETTER_COLUMNS}
  FROM dead_letters
  WHERE queued = 1
  ORDER BY position, event_id, tenant_id, subscription
  LIMIT ?`);

export const DELETE_DEAD_LETTER = query<[string, string, string]>(
  'DELETE FROM dead_letters WHERE tenant_id = ? AND subscription = ? AND event_id = ?',
);
