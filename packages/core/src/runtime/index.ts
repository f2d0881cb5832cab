export { joseAccessTokens, newSigningKey, rotateSigningKey, TOKEN_ALGORITHM, TOKEN_ISSUER } from './access-tokens.js';
export { startCallExpiry } from './call-expiry.js';
export { type JitteredRetryOptions, jitteredRetries } from './jittered-retries.js';
export { type LogConsumer, type LogConsumerOptions, type LogProgress, startLogConsumer } from './log-consumer.js';
export { randomIds } from './random-ids.js';
export { systemClock } from './system-clock.js';
export { type DeliveryOutcome, deliverOnce, deliveryRequest, type EndpointValidationFailure, validateEndpoint } from './webhook-delivery.js';
export {
  DEFAULT_WEBHOOK_RETRY,
  startWebhookDispatcher,
  WEBHOOKS_LEASE,
  type WebhookDispatcherOptions,
  type WebhookRetryPolicy,
  webhookCheckpoint,
} from './webhook-dispatcher.js';
