import { createRoomService, type EventStore, type RetryPolicy, retryImmediately } from '@usher/core';
import { jitteredRetries } from '@usher/core/runtime';
import { createMemoryStore } from '@usher/store-memory';
import { errAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock, participant, sequentialIds, stream } from '../support/fixtures.js';
import { errValue, okValue } from '../support/results.js';

/** The memory store, whose first `conflicts` appends fail as if another node had written first. */
function contested(conflicts: number): EventStore & { appends: () => number } {
  const store = createMemoryStore();
  let calls = 0;
  return {
    ...store,
    append: (key, events, expected, decided) => {
      calls += 1;
      if (calls <= conflicts)
        return errAsync({ type: 'Concurrency', stream: key, expected, actual: 99, message: 'another writer was first' } as never);
      return store.append(key, events, expected, decided);
    },
    appends: () => calls,
  };
}

const schedule = (policy: RetryPolicy, steps: number) => {
  const next = policy.begin();
  return Array.from({ length: steps }, () => next.next());
};

describe('deciding again after another writer', () => {
  afterEach(() => vi.useRealTimers());

  it('at once, a number of times, by default', async () => {
    expect(schedule(retryImmediately(2), 4)).toEqual([0, 0, null, null]);
    const store = contested(6);
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(1) });
    const room = stream('contoso', 1);
    expect(await errValue(service.execute(room, { type: 'CreateRoom', roomId: room.roomId }))).toMatchObject({ type: 'Concurrency' });
    expect(store.appends()).toBe(6); // the first attempt and DEFAULT_MAX_RETRIES more
    expect((await okValue(service.execute(room, { type: 'CreateRoom', roomId: room.roomId, participants: [{ id: participant(1) }] }))).version).toBe(
      2,
    );
  });

  it('with jitter under a doubling ceiling, until a deadline rather than a count', () => {
    vi.useFakeTimers({ now: 0 });
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const next = jitteredRetries({ deadlineMs: 1_000, baseMs: 2, capMs: 100 }).begin();
    const waits: number[] = [];
    for (;;) {
      const wait = next.next();
      if (wait === null) break;
      waits.push(Math.round(wait));
      vi.advanceTimersByTime(wait);
    }
    expect(waits.slice(0, 7)).toEqual([2, 4, 8, 16, 32, 64, 100]);
    expect(waits.slice(7).every((wait) => wait === 100)).toBe(true);
    const spent = waits.reduce((sum, wait) => sum + wait, 0);
    expect(spent).toBeLessThanOrEqual(1_000);
    expect(spent).toBeGreaterThan(1_000 - 100);
  });

  it('a command that keeps meeting other writers succeeds once they let it, with no error reaching the caller', async () => {
    const store = contested(40);
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(1), retry: jitteredRetries({ baseMs: 1, capMs: 2 }) });
    const room = stream('contoso', 2);
    const created = await okValue(service.execute(room, { type: 'CreateRoom', roomId: room.roomId }));
    expect(created.version).toBe(1);
    expect(store.appends()).toBe(41);
  });
});
