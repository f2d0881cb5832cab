import { createRoomService, type EventStore, type IdGenerator } from '@usher/core';
import { createMemoryStore } from '@usher/store-memory';
import { ResultAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { manualClock, participant, roomId, sequentialIds, tenant } from '../support/fixtures.js';
import { withReadLatency } from '../support/stores.js';

const contoso = tenant('contoso');

/** The real store, with another writer getting in between this service's load and its append. */
function withInterloper(store: EventStore, interlopeTimes: number, interlope: () => Promise<void>): EventStore {
  let remaining = interlopeTimes;
  return {
    ...store,
    append: (stream, events, expected) => {
      if (remaining <= 0) return store.append(stream, events, expected);
      remaining -= 1;
      return ResultAsync.fromSafePromise(interlope()).andThen(() => store.append(stream, events, expected));
    },
  };
}

describe('createRoomService', () => {
  /** A service whose appends to one room lose the race `races` times to another service's writes. */
  async function racing(races: number, maxRetries?: number) {
    const store = createMemoryStore();
    const clock = manualClock();
    const other = createRoomService({ store, clock, ids: sequentialIds(2) });
    const room = (await other.createRoom(contoso))._unsafeUnwrap().stream;
    const interlopers: string[] = [];
    const racingStore = withInterloper(store, races, async () => {
      interlopers.push(`other${interlopers.length + 1}`);
      (await other.addParticipants(room, [{ id: participant(interlopers.at(-1) ?? '') }]))._unsafeUnwrap();
    });
    return { store, room, interlopers, service: createRoomService({ store: racingStore, clock, ids: sequentialIds(1), maxRetries }) };
  }

  it('decides again on the new state after a concurrent write, and keeps both changes', async () => {
    const { store, room, service } = await racing(2);
    const result = (await service.addParticipants(room, [{ id: participant('mine') }]))._unsafeUnwrap();
    expect(result.version).toBe(4);
    const roster = (await store.listParticipants(room))._unsafeUnwrap().items.map((entry) => entry.participantId);
    expect(roster).toEqual([participant('other1'), participant('other2'), participant('mine')]);
  });

  it('runs commands on one room one after another in a process, so that a burst neither conflicts nor fails', async () => {
    const store = createMemoryStore();
    let appends = 0;
    const counting: EventStore = {
      ...withReadLatency(store, 2),
      append: (...args) => {
        appends += 1;
        return store.append(...args);
      },
    };
    const service = createRoomService({ store: counting, clock: manualClock(), ids: sequentialIds(1), maxRetries: 0 });
    const room = (await service.createRoom(contoso))._unsafeUnwrap().stream;
    const burst = await Promise.all(Array.from({ length: 50 }, (_, n) => service.addParticipants(room, [{ id: participant(`p${n}`) }])));
    expect(burst.filter((result) => result.isErr())).toEqual([]);
    expect(appends).toBe(51);
    expect((await store.listParticipants(room, { pageSize: 100 }))._unsafeUnwrap().items).toHaveLength(50);
  });

  it('gives up with the Concurrency error after maxRetries', async () => {
    const { room, service, interlopers } = await racing(100, 3);
    const result = await service.addParticipants(room, [{ id: participant('mine') }]);
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'Concurrency', stream: room });
    expect(interlopers).toHaveLength(4);
  });

  it('replaces a generated room id that is taken', async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const taken = roomId(1);
    (await createRoomService({ store, clock, ids: sequentialIds(0) }).createRoom(contoso))._unsafeUnwrap();
    const base = sequentialIds(5);
    const offered = [taken, roomId(2)];
    const ids: IdGenerator = { eventId: base.eventId, guid: base.guid, roomId: () => offered.shift() ?? roomId(3) };
    const created = (await createRoomService({ store, clock, ids }).createRoom(contoso))._unsafeUnwrap();
    expect(created.stream.roomId).toBe(roomId(2));
  });

  it('records who asked and for which request in every event', async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const service = createRoomService({ store, clock, ids: sequentialIds(1) });
    const created = (
      await service.createRoom(
        contoso,
        { participants: [{ id: participant('a') }] },
        { actor: 'key:primary', requestId: 'req-1', correlationId: 'c-1' },
      )
    )._unsafeUnwrap();
    expect(created.events.map((event) => event.meta)).toEqual([
      { at: clock.now().toISOString(), actor: 'key:primary', requestId: 'req-1', correlationId: 'c-1' },
      { at: clock.now().toISOString(), actor: 'key:primary', requestId: 'req-1', correlationId: 'c-1' },
    ]);
    const expired = (await service.expireCall(created.stream))._unsafeUnwrap();
    expect(expired.events).toEqual([]);
  });

  it('appends nothing for a command that changes nothing', async () => {
    const store = createMemoryStore();
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(1) });
    const room = (await service.createRoom(contoso))._unsafeUnwrap().stream;
    const result = (await service.removeParticipants(room, [participant('nobody')]))._unsafeUnwrap();
    expect(result).toMatchObject({ version: 1, events: [] });
  });
});
