import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../packages/http-adapter/src/rate-limit.js';
import { manualClock } from '../support/fixtures.js';

describe('the rate limiter', () => {
  it('lets a second’s worth through at once, then one per 1/rate seconds, per caller', () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ perSecond: 4 }, clock);
    expect(Array.from({ length: 4 }, () => limiter.take('a'))).toEqual([null, null, null, null]);
    expect(limiter.take('a')).toBe(1);
    // Another caller has a budget of its own.
    expect(limiter.take('b')).toBeNull();
    clock.advance(250);
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).toBe(1);
    clock.advance(10_000);
    expect(Array.from({ length: 5 }, () => limiter.take('a'))).toEqual([null, null, null, null, 1]);
  });

  it('says how many whole seconds to wait when the rate is below one a second', () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ perSecond: 0.25 }, clock);
    expect(limiter.take('slow')).toBeNull();
    expect(limiter.take('slow')).toBe(4);
    clock.advance(4_000);
    expect(limiter.take('slow')).toBeNull();
  });
});
