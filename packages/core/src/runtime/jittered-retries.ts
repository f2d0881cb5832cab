import type { RetryPolicy } from '../ports.js';

export interface JitteredRetryOptions {
  /** How long one command may go on meeting other writers before it fails with Concurrency (default 10 s). */
  readonly deadlineMs?: number;
  /** The first wait's ceiling; each retry doubles it (default 2 ms). */
  readonly baseMs?: number;
  /** The largest ceiling a wait can have (default 200 ms). */
  readonly capMs?: number;
}

/**
 * Waits before deciding again with "full jitter" (a random wait under a ceiling that doubles each time,
 * up to a cap), so that writers on several nodes that met once do not meet again in lockstep; gives
 * up at a deadline, not after a count, so that a busy room slows a command down instead of refusing it.
 */
export function jitteredRetries(options: JitteredRetryOptions = {}): RetryPolicy {
  const deadlineMs = options.deadlineMs ?? 10_000;
  const baseMs = options.baseMs ?? 2;
  const capMs = options.capMs ?? 200;
  return {
    begin() {
      const started = Date.now();
      let attempt = 0;
      return {
        next() {
          const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
          attempt += 1;
          const wait = Math.random() * ceiling;
          return Date.now() - started + wait > deadlineMs ? null : wait;
        },
      };
    },
  };
}
