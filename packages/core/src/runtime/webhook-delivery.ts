import { randomUUID } from 'node:crypto';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { Webhook } from 'standardwebhooks';
import type { EventDeliverySchema, EventSubscription } from '../ports.js';
import { deliveryBody, type ServerEvent, topicOf } from '../server-events.js';

/** What one attempt came to: delivered, worth trying again later, or refused for good (a 4xx other than 408 and 429). */
export type DeliveryOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly error: string }
  | { readonly kind: 'refused'; readonly error: string };

export interface DeliveryOptions {
  /** How long an endpoint may take to answer (default 30 s, as Event Grid waits). */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

const CONTENT_TYPES: Record<EventDeliverySchema, string> = {
  EventGridSchema: 'application/json; charset=utf-8',
  CloudEventSchemaV1_0: 'application/cloudevents+json; charset=utf-8',
};

const DEFAULT_TIMEOUT_MS = 30_000;

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message;
  }
  return String(cause);
}

function signalFor(options: DeliveryOptions): AbortSignal {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
}

/** The headers and body of one delivery of `event` to `subscription`, `attempt` being the number of attempts before this one. */
export function deliveryRequest(subscription: EventSubscription, event: ServerEvent, attempt: number, now: Date) {
  const body = JSON.stringify(deliveryBody(event, subscription.tenantId, subscription.eventDeliverySchema));
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[subscription.eventDeliverySchema],
    'aeg-event-type': 'Notification',
    'aeg-subscription-name': subscription.name,
    'aeg-delivery-count': String(attempt),
    'aeg-data-version': event.dataVersion,
    'aeg-metadata-version': event.metadataVersion,
  };
  if (subscription.secret !== null) {
    // Standard Webhooks: the message id is the event's, the same on every attempt, so receivers can de-duplicate.
    headers['webhook-id'] = event.id;
    headers['webhook-timestamp'] = String(Math.floor(now.getTime() / 1000));
    headers['webhook-signature'] = new Webhook(subscription.secret).sign(event.id, now, body);
  }
  return { body, headers };
}

/** One attempt: POST the event to the subscription's endpoint and classify the answer. */
export async function deliverOnce(
  subscription: EventSubscription,
  event: ServerEvent,
  attempt: number,
  now: Date,
  options: DeliveryOptions = {},
): Promise<DeliveryOutcome> {
  const { body, headers } = deliveryRequest(subscription, event, attempt, now);
  try {
    const response = await fetch(subscription.endpointUrl, { method: 'POST', body, headers, signal: signalFor(options), redirect: 'manual' });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { kind: 'delivered' };
    const error = `${subscription.endpointUrl} answered ${response.status}`;
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
    return permanent ? { kind: 'refused', error } : { kind: 'retry', error };
  } catch (cause) {
    return { kind: 'retry', error: `${subscription.endpointUrl}: ${describe(cause)}` };
  }
}

/** Why an endpoint was not accepted for a subscription. */
export interface EndpointValidationFailure {
  readonly type: 'EndpointValidationFailed';
  readonly message: string;
}

const failed = (message: string): EndpointValidationFailure => ({ type: 'EndpointValidationFailed', message });

/**
 * The handshake Event Grid runs before it accepts an endpoint (reference/acs-rooms.md §5.3): for the
 * Event Grid schema a `SubscriptionValidationEvent` whose `validationCode` must come back as
 * `validationResponse`; for CloudEvents the `OPTIONS` abuse-protection handshake, whose
 * `WebHook-Allowed-Origin` must allow this sender.
 */
export function validateEndpoint(
  subscription: Pick<EventSubscription, 'tenantId' | 'name' | 'endpointUrl' | 'eventDeliverySchema'>,
  options: DeliveryOptions & { readonly origin?: string | undefined } = {},
): ResultAsync<void, EndpointValidationFailure> {
  const url = subscription.endpointUrl;
  const attempt = async (): Promise<EndpointValidationFailure | null> => {
    try {
      if (subscription.eventDeliverySchema === 'CloudEventSchemaV1_0') {
        const origin = options.origin ?? 'usher';
        const response = await fetch(url, { method: 'OPTIONS', headers: { 'webhook-request-origin': origin }, signal: signalFor(options) });
        await response.body?.cancel();
        if (response.status < 200 || response.status >= 300)
          return failed(`The endpoint ${url} answered the OPTIONS handshake with ${response.status}.`);
        const allowed = response.headers.get('webhook-allowed-origin');
        if (allowed !== '*' && allowed?.trim().toLowerCase() !== origin.toLowerCase()) {
          return failed(
            `The endpoint ${url} did not allow the origin ${JSON.stringify(origin)} in WebHook-Allowed-Origin (it answered ${JSON.stringify(allowed)}).`,
          );
        }
        return null;
      }
      const validationCode = randomUUID();
      const body = JSON.stringify([
        {
          id: randomUUID(),
          topic: topicOf(subscription.tenantId),
          subject: '',
          data: { validationCode },
          eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
          eventTime: new Date().toISOString(),
          metadataVersion: '1',
          dataVersion: '1',
        },
      ]);
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': CONTENT_TYPES.EventGridSchema,
          'aeg-event-type': 'SubscriptionValidation',
          'aeg-subscription-name': subscription.name,
        },
        signal: signalFor(options),
        redirect: 'manual',
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        return failed(
          `The endpoint ${url} answered the validation event with ${response.status}; it must answer 200 with {"validationResponse": "<validationCode>"}.`,
        );
      }
      const answer: unknown = await response.json().catch(() => null);
      const echoed = answer !== null && typeof answer === 'object' ? (answer as { validationResponse?: unknown }).validationResponse : undefined;
      if (echoed !== validationCode) {
        return failed(
          `The endpoint ${url} did not answer the validation event with {"validationResponse": "<validationCode>"} carrying the code it was sent.`,
        );
      }
      return null;
    } catch (cause) {
      return failed(`The endpoint ${url} could not be reached for validation: ${describe(cause)}.`);
    }
  };
  return ResultAsync.fromSafePromise(attempt()).andThen((failure) => (failure === null ? okAsync(undefined) : errAsync(failure)));
}
