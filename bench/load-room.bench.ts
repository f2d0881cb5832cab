import { createRoomService, type EventStore, fold, type StreamKey } from '@usher/core';
import { createMemoryStore } from '@usher/store-memory';
import { createSqliteStore } from '@usher/store-sqlite';
import { bench, describe } from 'vitest';
import { manualClock, participant, sequentialIds, tenant } from '../test/support/fixtures.js';
import { temporaryDirectory } from '../test/support/stores.js';

const HISTORY = 10_000;

/** One room just created and one with 10,000 events behind it (joins and leaves of a call). */
async function seed(store: EventStore): Promise<{ fresh: StreamKey; long: StreamKey }> {
  const clock = manualClock();
  const service = createRoomService({ store, clock, ids: sequentialIds(1) });
  const tenantId = tenant('bench');
  const alice = participant('alice');
  const fresh = (await service.createRoom(tenantId, { participants: [{ id: alice }] }))._unsafeUnwrap().stream;
  const long = (await service.createRoom(tenantId, { participants: [{ id: alice }, { id: participant('bob') }] }))._unsafeUnwrap().stream;
  (await service.joinCall(long, participant('bob')))._unsafeUnwrap();
  let version = (await store.loadRoom(long))._unsafeUnwrap()?.version ?? 0;
  // Bob stays in the call, so each join or leave of Alice's is exactly one event.
  for (let inCall = false; version < HISTORY; inCall = !inCall) {
    const step = inCall ? await service.leaveCall(long, alice) : await service.joinCall(long, alice);
    version = step._unsafeUnwrap().version;
  }
  return { fresh, long };
}

const directory = temporaryDirectory('bench-load');
const stores: [string, EventStore][] = [
  ['memory', createMemoryStore()],
  ['sqlite', createSqliteStore({ path: `${directory.path}/load.db` })],
];

for (const [name, store] of stores) {
  const rooms = await seed(store);
  describe(`loadRoom on ${name}`, () => {
    bench('fresh room (2 events)', async () => {
      (await store.loadRoom(rooms.fresh))._unsafeUnwrap();
    });
    bench(`room with ${HISTORY} events`, async () => {
      (await store.loadRoom(rooms.long))._unsafeUnwrap();
    });
    bench(`for contrast: readStream + fold of ${HISTORY} events`, async () => {
      fold((await store.readStream(rooms.long))._unsafeUnwrap());
    });
  });
}
