import type { Clock } from '@usher/core';

/** How many requests one caller (an access key's tenant, a user's token) may make per second; bursts up to a second's worth. */
export interface RateLimit {
  readonly perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per caller: `perSecond` tokens, refilled continuously. Answers how long to wait when
 * one is empty. Callers whose bucket has filled up again are forgotten, so memory follows the
 * callers active in the last second or so, not every caller ever seen.
 */
export function createRateLimiter(limit: RateLimit, clock: Clock) {
  const capacity = Math.max(1, limit.perSecond);
  const buckets = new Map<string, Bucket>();
  let sweptAt = 0;

  function sweep(now: number) {
    if (now - sweptAt < 1_000) return;
    sweptAt = now;
    for (const [caller, bucket] of buckets) if (bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond >= capacity) buckets.delete(caller);
  }

  return {
    /** Null when the request may go on; else the whole seconds to wait for a token (for Retry-After). */
    take(caller: string): number | null {
      const now = clock.now().getTime();
      sweep(now);
      const bucket = buckets.get(caller) ?? { tokens: capacity, at: now };
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
      bucket.at = now;
      buckets.set(caller, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return null;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
