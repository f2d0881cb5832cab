import type { StoredEvent } from '@usher/core';
import { startLogConsumer } from '@usher/core/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { stream } from '../support/fixtures.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { okValue } from '../support/results.js';
import { storeFactories } from '../support/stores.js';
import { addedEvent } from './contract.js';

const url = postgresUrl();
const factories = url === null ? storeFactories() : [...storeFactories(), postgresFactory(url)];

describe.each(factories)('the log consumer on $name', (factory) => {
  afterAll(() => factory.dispose());

  it('hands over every event once, in log order, and resumes after its checkpoint', async () => {
    const store = await factory.open();
    const rooms = [1, 2, 3].map((n) => stream('contoso', n));
    for (const [index, room] of rooms.entries()) await okValue(store.append(room, [addedEvent(`a${index}`), addedEvent(`b${index}`)], 'noStream'));

    const seen: number[] = [];
    const first = startLogConsumer({
      store,
      checkpoint: 'reader',
      batchSize: 4,
      handle: async (events) => void seen.push(...events.map((event) => event.position)),
    });
    await first.caughtUp();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    // Appended while it runs: it finds them without being told.
    await okValue(store.append(rooms[0] ?? stream('contoso', 1), [addedEvent('c0')], 2));
    await first.caughtUp();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await first.stop();
    expect(await okValue(store.checkpoints.get('reader'))).toBe(7);

    // A new consumer on the same checkpoint goes on after it.
    await okValue(store.append(rooms[1] ?? stream('contoso', 2), [addedEvent('c1')], 2));
    const later: StoredEvent[] = [];
    const second = startLogConsumer({ store, checkpoint: 'reader', handle: async (events) => void later.push(...events) });
    await second.caughtUp();
    await second.stop();
    expect(later.map((event) => event.position)).toEqual([8]);
  });

  it('handles a page again until its handler succeeds: at least once, never skipped', async () => {
    const store = await factory.open();
    await okValue(store.append(stream('contoso', 1), [addedEvent('a'), addedEvent('b'), addedEvent('c')], 'noStream'));
    const attempts: number[][] = [];
    const errors: unknown[] = [];
    let failures = 2;
    const consumer = startLogConsumer({
      store,
      checkpoint: 'flaky',
      batchSize: 2,
      maxIdleMs: 20,
      onError: (error) => errors.push(error),
      handle: async (events) => {
        attempts.push(events.map((event) => event.position));
        if (events.some((event) => event.position === 3) && failures-- > 0) throw new Error('receiver down');
      },
    });
    await consumer.caughtUp();
    await consumer.stop();
    expect(attempts).toEqual([[1, 2], [3], [3], [3]]);
    expect(errors).toHaveLength(2);
    expect(await okValue(store.checkpoints.get('flaky'))).toBe(3);
  });

  it('knows the log’s last position: 0 when empty, then the position of the last event appended', async () => {
    const store = await factory.open();
    expect(await okValue(store.headPosition())).toBe(0);
    await okValue(store.append(stream('contoso', 1), [addedEvent('a'), addedEvent('b')], 'noStream'));
    await okValue(store.append(stream('contoso', 2), [addedEvent('c')], 'noStream'));
    const log = await okValue(store.readAll({ afterPosition: 0, limit: 10 }));
    expect(await okValue(store.headPosition())).toBe(log[log.length - 1]?.position);
  });

  it('records the progress a handler reports within a page, so that a failure repeats only what was not handled', async () => {
    const store = await factory.open();
    await okValue(store.append(stream('contoso', 1), [addedEvent('a'), addedEvent('b'), addedEvent('c'), addedEvent('d')], 'noStream'));
    const handled: number[] = [];
    let failOnce = true;
    const consumer = startLogConsumer({
      store,
      checkpoint: 'progress',
      maxIdleMs: 20,
      handle: async (events, progress) => {
        for (const event of events) {
          if (event.position === 3 && failOnce) {
            failOnce = false;
            throw new Error('receiver down');
          }
          handled.push(event.position);
          await progress.handled(event.position);
        }
      },
    });
    await consumer.caughtUp();
    await consumer.stop();
    expect(handled).toEqual([1, 2, 3, 4]);
    expect(await okValue(store.checkpoints.get('progress'))).toBe(4);
  });

  it('begins after `startAfter` when its checkpoint was never set', async () => {
    const store = await factory.open();
    await okValue(store.append(stream('contoso', 1), [addedEvent('a'), addedEvent('b'), addedEvent('c')], 'noStream'));
    const seen: number[] = [];
    const consumer = startLogConsumer({
      store,
      checkpoint: 'late',
      startAfter: 2,
      handle: async (events) => void seen.push(...events.map((event) => event.position)),
    });
    await consumer.caughtUp();
    await consumer.stop();
    expect(seen).toEqual([3]);
  });
});
