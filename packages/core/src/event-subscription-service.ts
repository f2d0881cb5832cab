import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import type { EventSubscriptionError, UsherError } from './errors.js';
import type { TenantId } from './ids.js';
import type { Clock, DeadLetter, EventDeliverySchema, EventStore, EventSubscription, Page, PageRequest } from './ports.js';
import { isServerEventType, SERVER_EVENT_TYPES } from './server-events.js';

/** Checks an endpoint before a subscription to it is accepted (Event Grid's validation handshake); see `validateEndpoint` of the runtime. */
export interface WebhookEndpoints {
  validate(
    subscription: Pick<EventSubscription, 'tenantId' | 'name' | 'endpointUrl' | 'eventDeliverySchema'>,
  ): ResultAsync<void, { readonly message: string }>;
}

/** What a client asks for; everything but the endpoint has a default. */
export interface EventSubscriptionInput {
  readonly endpointUrl: string;
  readonly includedEventTypes?: readonly string[] | null | undefined;
  readonly eventDeliverySchema?: EventDeliverySchema | undefined;
  readonly secret?: string | null | undefined;
}

const NAME = /^[A-Za-z0-9-]{3,64}$/;
const SECRET = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

const invalid = (field: string, message: string): EventSubscriptionError => ({ type: 'InvalidEventSubscription', field, message });

export const eventSubscriptionNotFound = (name: string): EventSubscriptionError => ({
  type: 'EventSubscriptionNotFound',
  name,
  message: `There is no event subscription named ${JSON.stringify(name)}.`,
});

export function parseSubscriptionName(name: string): Result<string, EventSubscriptionError> {
  return NAME.test(name) ? ok(name) : err(invalid('name', 'A subscription name is 3 to 64 letters, digits and hyphens.'));
}

function parseEndpoint(value: string): Result<string, EventSubscriptionError> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return err(invalid('endpointUrl', `The endpointUrl ${JSON.stringify(value)} is not an absolute URL.`));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return err(invalid('endpointUrl', 'The endpointUrl must be an http or https URL.'));
  if (url.username !== '' || url.password !== '')
    return err(invalid('endpointUrl', 'The endpointUrl must not carry credentials; use a secret to sign deliveries.'));
  return ok(url.toString());
}

function parseTypes(types: readonly string[] | null | undefined): Result<readonly string[] | null, EventSubscriptionError> {
  if (types === undefined || types === null) return ok(null);
  if (types.length === 0) return err(invalid('includedEventTypes', 'includedEventTypes lists at least one type; leave it out for every type.'));
  const unknown = types.find((type) => !isServerEventType(type));
  if (unknown !== undefined)
    return err(invalid('includedEventTypes', `${JSON.stringify(unknown)} is not an event type; the types are ${SERVER_EVENT_TYPES.join(', ')}.`));
  return ok([...new Set(types)]);
}

function parseSecret(secret: string | null | undefined): Result<string | null, EventSubscriptionError> {
  if (secret === undefined || secret === null) return ok(null);
  return SECRET.test(secret)
    ? ok(secret)
    : err(invalid('secret', 'A secret is "whsec_" followed by at least 24 bytes in base64, as Standard Webhooks secrets are.'));
}

/** Parses what a client asked for into a subscription (before its endpoint is checked). */
export function parseEventSubscription(
  tenantId: TenantId,
  name: string,
  input: EventSubscriptionInput,
  now: Date,
): Result<Omit<EventSubscription, 'startAfter'>, EventSubscriptionError> {
  return parseSubscriptionName(name).andThen((checkedName) =>
    parseEndpoint(input.endpointUrl).andThen((endpointUrl) =>
      parseTypes(input.includedEventTypes).andThen((includedEventTypes) =>
        parseSecret(input.secret).map((secret) => ({
          tenantId,
          name: checkedName,
          endpointUrl,
          includedEventTypes,
          eventDeliverySchema: input.eventDeliverySchema ?? 'EventGridSchema',
          secret,
          createdAt: now.toISOString(),
        })),
      ),
    ),
  );
}

/** A tenant's webhooks: the part of the service the event subscription API calls. */
export function eventSubscriptionOperations(deps: {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly endpoints: WebhookEndpoints | undefined;
}) {
  const { store } = deps;

  function existing(tenantId: TenantId, name: string): ResultAsync<EventSubscription, UsherError> {
    return parseSubscriptionName(name)
      .asyncAndThen((checked) => store.eventSubscriptions.get(tenantId, checked))
      .andThen((found) => (found === null ? errAsync(eventSubscriptionNotFound(name)) : okAsync(found)));
  }

  return {
    /**
     * Creates or replaces a subscription once its endpoint passed the handshake. A new one is
     * delivered the events appended after it; a replaced one goes on from where it was.
     */
    putEventSubscription(
      tenantId: TenantId,
      name: string,
      input: EventSubscriptionInput,
    ): ResultAsync<{ subscription: EventSubscription; created: boolean }, UsherError> {
      const endpoints = deps.endpoints;
      if (endpoints === undefined) return errAsync({ type: 'WebhooksUnavailable', message: 'This server delivers no webhooks.' });
      return parseEventSubscription(tenantId, name, input, deps.clock.now())
        .asyncAndThen((parsed) =>
          endpoints
            .validate(parsed)
            .mapErr((failure): UsherError => ({ type: 'EndpointValidationFailed', message: failure.message }))
            .map(() => parsed),
        )
        .andThen((parsed) => store.headPosition().map((startAfter): EventSubscription => ({ ...parsed, startAfter })))
        .andThen((subscription) =>
          store.eventSubscriptions
            .put(subscription)
            .andThen((outcome) =>
              store.eventSubscriptions
                .get(tenantId, subscription.name)
                .map((stored) => ({ subscription: stored ?? subscription, created: outcome === 'created' })),
            ),
        );
    },
    getEventSubscription: existing,
    listEventSubscriptions: (tenantId: TenantId, page: PageRequest = {}): ResultAsync<Page<EventSubscription>, UsherError> =>
      store.eventSubscriptions.list(tenantId, page),
    /** Answers whether there was one (a delete is idempotent). */
    deleteEventSubscription: (tenantId: TenantId, name: string): ResultAsync<boolean, UsherError> =>
      parseSubscriptionName(name).asyncAndThen((checked) => store.eventSubscriptions.remove(tenantId, checked)),
    listDeadLetters: (tenantId: TenantId, name: string, page: PageRequest = {}): ResultAsync<Page<DeadLetter>, UsherError> =>
      existing(tenantId, name).andThen((subscription) => store.eventSubscriptions.deadLetters(tenantId, subscription.name, page)),
    /** Queues every dead letter of the subscription for one more delivery; answers how many. */
    redeliverDeadLetters: (tenantId: TenantId, name: string): ResultAsync<number, UsherError> =>
      existing(tenantId, name).andThen((subscription) => store.eventSubscriptions.queueRedelivery(tenantId, subscription.name)),
  };
}
