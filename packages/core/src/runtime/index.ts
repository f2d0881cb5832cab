export { joseAccessTokens, newSigningKey, rotateSigningKey, TOKEN_ALGORITHM, TOKEN_ISSUER } from './access-tokens.js';
export { startCallExpiry } from './call-expiry.js';
export { type JitteredRetryOptions, jitteredRetries } from './jittered-retries.js';
export { type LogConsumer, type LogConsumerOptions, startLogConsumer } from './log-consumer.js';
export { randomIds } from './random-ids.js';
export { systemClock } from './system-clock.js';
