import type { EventStore, NewEvent, StoredEvent } from '@usher/core';
import { createPostgresStore } from '@usher/store-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { participant, sequentialIds, stream, T0 } from '../support/fixtures.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { okValue } from '../support/results.js';

const url = postgresUrl();
const WRITERS = 4;
const APPENDS_PER_WRITER = 120;
const ROOMS = 6;

describe.skipIf(url === null)('PostgreSQL readAll under concurrent writers', () => {
  const factory = postgresFactory(url ?? '');
  afterAll(() => factory.dispose());

  it('a tailing reader never sees a position after passing a greater one, and sees every event exactly once', async () => {
    const first = await factory.open();
    const schema = factory.schemaOf(first);
    // Every writer and the reader has a pool of its own, so connections of its own, on the same schema.
    const writers: EventStore[] = [first];
    for (let n = 1; n < WRITERS; n += 1) writers.push(createPostgresStore({ connectionString: url ?? '', schema, poolSize: 2 }));
    const reader = createPostgresStore({ connectionString: url ?? '', schema, poolSize: 1 });

    const acknowledged: string[] = [];
    let writing = true;
    const write = async (store: EventStore, writer: number) => {
      const ids = sequentialIds(100 + writer);
      for (let n = 0; n < APPENDS_PER_WRITER; n += 1) {
        const size = 1 + (n % 3);
        const events: NewEvent[] = Array.from({ length: size }, (_, index) => ({
          type: 'ParticipantAdded',
          data: { participant: participant(`w${writer}_${n}_${index}`), role: 'Attendee' },
          eventId: ids.eventId(),
          schemaVersion: 1,
          meta: { at: T0.toISOString(), actor: `writer-${writer}` },
        }));
        const appended = await store.append(stream('tail', (n + writer) % ROOMS), events, 'any');
        acknowledged.push(...appended._unsafeUnwrap().events.map((event) => event.eventId));
      }
    };

    const seen: StoredEvent[] = [];
    const tail = async () => {
      let after = 0;
      for (;;) {
        const done = !writing;
        const batch = await okValue(reader.readAll({ afterPosition: after, limit: 25 }));
        for (const event of batch) {
          expect(event.position, `read ${event.position} after ${after}`).toBeGreaterThan(after);
          expect(event.position, 'no position skipped').toBe(after + 1);
          after = event.position;
          seen.push(event);
        }
        if (done && batch.length === 0) return;
      }
    };

    const reading = tail();
    await Promise.all(writers.map((store, writer) => write(store, writer)));
    writing = false;
    await reading;

    const ids = seen.map((event) => event.eventId as string);
    expect(new Set(ids).size, 'each event seen once').toBe(ids.length);
    expect([...ids].sort()).toEqual([...acknowledged].sort());
    expect(seen.length).toBe(WRITERS * APPENDS_PER_WRITER * 2);
    await Promise.all([...writers.slice(1), reader].map((store) => store.close()));
  });
});
