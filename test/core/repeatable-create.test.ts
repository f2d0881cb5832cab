import { join } from 'node:path';
import { createRoomService, type EventStore, REPEATABILITY_WINDOW_MS, type RepeatableRequest } from '@usher/core';
import { createMemoryStore } from '@usher/store-memory';
import { createSqliteStore } from '@usher/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { MINUTE, manualClock, participant, sequentialIds, T0, tenant } from '../support/fixtures.js';
import { errValue, okValue } from '../support/results.js';
import { temporaryDirectory, withReadLatency } from '../support/stores.js';

const contoso = tenant('contoso');
const alice = [{ id: participant('alice'), role: 'Presenter' as const }];

/** A request first sent at T0, when every manual clock starts. */
function request(overrides: Partial<RepeatableRequest> = {}): RepeatableRequest {
  return { requestId: 'repeatability:7d9f2c1e-0000-4000-8000-000000000001', requestHash: 'hash-a', firstSent: T0, ...overrides };
}

const roomsCreated = async (store: EventStore) =>
  (await okValue(store.readAll({ afterPosition: 0, limit: 10_000 }))).filter((event) => event.type === 'RoomCreated');

describe('createRoomOnce: repeatable create in the service, without HTTP', () => {
  it('creates the room the first time and answers a repeat with that same room, writing nothing more', async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const service = createRoomService({ store, clock, ids: sequentialIds(1) });
    const first = await okValue(service.createRoomOnce(contoso, request(), { participants: alice }, { actor: 'app' }));
    expect(first.outcome).toBe('created');
    expect(first.events.map((event) => [event.type, event.meta.requestId, event.meta.requestHash])).toEqual([
      ['RoomCreated', request().requestId, 'hash-a'],
      ['ParticipantAdded', request().requestId, 'hash-a'],
    ]);
    const logLength = (await okValue(store.readAll({ afterPosition: 0, limit: 100 }))).length;
    expect(logLength).toBe(2);

    clock.advance(2 * MINUTE);
    // Meanwhile the room changes: a repeat still answers the room as the request created it.
    await okValue(service.addParticipants(first.stream, [{ id: participant('bob') }]));
    const again = await okValue(service.createRoomOnce(contoso, request(), { participants: alice }));
    expect(again).toEqual({ ...first, outcome: 'replayed' });
    expect(await okValue(store.readAll({ afterPosition: 0, limit: 100 }))).toHaveLength(logLength + 1);
    expect(await roomsCreated(store)).toHaveLength(1);
  });

  it('refuses a repeat that asks for something else, and writes nothing', async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const service = createRoomService({ store, clock, ids: sequentialIds(1) });
    await okValue(service.createRoomOnce(contoso, request(), { participants: alice }));
    const before = await okValue(store.readAll({ afterPosition: 0, limit: 100 }));
    const mismatch = await errValue(service.createRoomOnce(contoso, request({ requestHash: 'hash-b' }), { pstnDialOutEnabled: true }));
    expect(mismatch).toMatchObject({ type: 'RepeatedRequestMismatch', requestId: request().requestId });
    expect(await okValue(store.readAll({ afterPosition: 0, limit: 100 }))).toEqual(before);
  });

  it('refuses a request first sent more than the window away from now, either way, before looking anything up', async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const service = createRoomService({ store, clock, ids: sequentialIds(1) });
    clock.advance(REPEATABILITY_WINDOW_MS);
    expect((await okValue(service.createRoomOnce(contoso, request()))).outcome).toBe('created');
    clock.advance(1);
    expect(await errValue(service.createRoomOnce(contoso, request()))).toMatchObject({
      type: 'RepeatabilityWindowPassed',
      firstSent: T0.toISOString(),
      now: clock.now().toISOString(),
    });
    const fromTheFuture = new Date(clock.now().getTime() + REPEATABILITY_WINDOW_MS + 1);
    const ahead = await errValue(service.createRoomOnce(contoso, request({ requestId: 'other', firstSent: fromTheFuture })));
    expect(ahead).toMatchObject({ type: 'RepeatabilityWindowPassed' });
    expect(await roomsCreated(store)).toHaveLength(1);
  });

  it('creates one room for 20 copies of one request racing each other', async () => {
    const clock = manualClock();
    const store = createMemoryStore();
    const service = createRoomService({ store: withReadLatency(store, 3), clock, ids: sequentialIds(1) });
    const results = await Promise.all(Array.from({ length: 20 }, () => okValue(service.createRoomOnce(contoso, request(), { participants: alice }))));
    expect(new Set(results.map((result) => result.stream.roomId)).size).toBe(1);
    expect(results.filter((result) => result.outcome === 'created')).toHaveLength(1);
    expect(new Set(results.map((result) => JSON.stringify(result.state))).size).toBe(1);
    expect(await roomsCreated(store)).toHaveLength(1);
  });

  describe('across a restart', () => {
    const directory = temporaryDirectory('repeatable');
    afterAll(() => directory.remove());

    it('answers a repeat with the room created before the store was closed and opened again', async () => {
      const path = join(directory.path, 'rooms.db');
      const clock = manualClock();
      const before = createSqliteStore({ path });
      const first = await okValue(
        createRoomService({ store: before, clock, ids: sequentialIds(1) }).createRoomOnce(contoso, request(), { participants: alice }),
      );
      await before.close();

      clock.advance(MINUTE);
      const after = createSqliteStore({ path });
      const service = createRoomService({ store: after, clock, ids: sequentialIds(2) });
      const replayed = await okValue(service.createRoomOnce(contoso, request(), { participants: alice }));
      expect(replayed).toEqual({ ...first, outcome: 'replayed' });
      expect(await errValue(service.createRoomOnce(contoso, request({ requestHash: 'hash-b' })))).toMatchObject({ type: 'RepeatedRequestMismatch' });
      expect(await roomsCreated(after)).toHaveLength(1);
      await after.close();
    });
  });
});

describe('audit reads through the service', () => {
  it('pages a room history by version and answers RoomNotFound for a room that never existed', async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const service = createRoomService({ store, clock, ids: sequentialIds(1) });
    const room = (await okValue(service.createRoom(contoso, { participants: alice }))).stream;
    await okValue(service.addParticipants(room, [{ id: participant('bob') }, { id: participant('carol') }]));
    const first = await okValue(service.history(room, { pageSize: 3 }));
    expect(first.items.map((entry) => entry.version)).toEqual([1, 2, 3]);
    expect(first.nextPageToken).not.toBeNull();
    const second = await okValue(service.history(room, { pageSize: 3, pageToken: first.nextPageToken ?? undefined }));
    expect(second).toMatchObject({ items: [{ version: 4, description: `${participant('carol')} invited as Attendee` }], nextPageToken: null });
    const nowhere = { ...room, roomId: sequentialIds(9).roomId() };
    expect(await errValue(service.history(nowhere))).toMatchObject({ type: 'RoomNotFound' });
    expect(await errValue(service.roomAt(nowhere))).toMatchObject({ type: 'RoomNotFound' });
  });

  it('answers the room at an instant, and now by default', async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const service = createRoomService({ store, clock, ids: sequentialIds(1) });
    const created = clock.now();
    const room = (await okValue(service.createRoom(contoso, { participants: alice }))).stream;
    clock.advance(MINUTE);
    await okValue(service.addParticipants(room, [{ id: participant('alice'), role: 'Consumer' }]));
    const then = await okValue(service.roomAt(room, created));
    // As JSON, as the HTTP API and the CLI show it.
    expect(JSON.parse(JSON.stringify(then))).toMatchObject({
      at: created.toISOString(),
      version: 2,
      state: { status: 'active', room: { roster: { [participant('alice')]: 'Presenter' } } },
    });
    const now = await okValue(service.roomAt(room));
    expect(JSON.parse(JSON.stringify(now))).toMatchObject({
      at: clock.now().toISOString(),
      version: 3,
      state: { room: { roster: { [participant('alice')]: 'Consumer' } } },
    });
  });
});
