import {
  createRoomService,
  type EventStore,
  type ExpectedVersion,
  fold,
  GENESIS_HASH,
  type NewEvent,
  type ParticipantRecord,
  type RoomSummary,
  type StoredEvent,
  type StreamKey,
  verifyStream,
} from '@usher/core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, manualClock, participant, sequentialIds, stream, T0 } from '../support/fixtures.js';
import type { StoreFactory } from '../support/stores.js';

const newIds = sequentialIds(900);

export function addedEvent(who: string | number, requestId?: string): NewEvent {
  return {
    type: 'ParticipantAdded',
    data: { participant: participant(who), role: 'Attendee' },
    eventId: newIds.eventId(),
    schemaVersion: 1,
    meta: { at: T0.toISOString(), actor: 'contract', ...(requestId === undefined ? {} : { requestId }) },
  };
}

async function allPages<T>(fetch: (token: string | undefined) => Promise<{ items: readonly T[]; nextPageToken: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let pages = 0; pages < 10_000; pages += 1) {
    const page = await fetch(token);
    items.push(...page.items);
    if (page.nextPageToken === null) return items;
    expect(page.nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    token = page.nextPageToken;
  }
  throw new Error('paging never ended');
}

export async function allRooms(store: EventStore, tenantId: StreamKey['tenantId'], pageSize: number): Promise<RoomSummary[]> {
  return allPages(async (pageToken) => (await store.listRooms({ tenantId, pageToken, pageSize }))._unsafeUnwrap());
}

export async function allParticipants(store: EventStore, key: StreamKey, pageSize: number): Promise<ParticipantRecord[]> {
  return allPages(async (pageToken) => (await store.listParticipants(key, { pageToken, pageSize }))._unsafeUnwrap());
}

export async function wholeLog(store: EventStore): Promise<StoredEvent[]> {
  return (await store.readAll({ afterPosition: 0, limit: 1_000_000 }))._unsafeUnwrap();
}

/** The EventStore contract of design §4; every store runs exactly this suite. */
export function eventStoreContract(factory: StoreFactory): void {
  describe(`EventStore contract: ${factory.name}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterAll(() => factory.dispose());

    const room = stream('contoso', 1);

    describe('append', () => {
      it('numbers a new stream 1..n, chains hashes from genesis and assigns increasing positions', async () => {
        const appended = (await store.append(room, [addedEvent(1), addedEvent(2)], 'noStream'))._unsafeUnwrap();
        expect(appended.version).toBe(2);
        expect(appended.replayed).toBe(false);
        expect(appended.events.map((event) => event.version)).toEqual([1, 2]);
        expect(appended.events[0]?.prevHash).toBe(GENESIS_HASH);
        expect(verifyStream(appended.events).isOk()).toBe(true);
        const more = (await store.append(room, [addedEvent(3)], 2))._unsafeUnwrap();
        expect(more.events[0]?.prevHash).toBe(appended.events[1]?.hash);
        const log = await wholeLog(store);
        expect(log.map((event) => event.position)).toEqual([1, 2, 3]);
        expect(log).toEqual([...appended.events, ...more.events]);
      });

      const cases: [string, ExpectedVersion, number, boolean][] = [
        ['noStream on a new stream', 'noStream', 0, true],
        ['noStream on an existing stream', 'noStream', 2, false],
        ['exists on a new stream', 'exists', 0, false],
        ['exists on an existing stream', 'exists', 2, true],
        ['any on a new stream', 'any', 0, true],
        ['any on an existing stream', 'any', 2, true],
        ['the exact version', 2, 2, true],
        ['a stale version', 1, 2, false],
        ['a version ahead', 3, 2, false],
        ['version 0 on a new stream', 0, 0, true],
      ];
      it.each(cases)('enforces %s', async (_, expected, existing, accepted) => {
        if (existing > 0) (await store.append(room, [addedEvent('a'), addedEvent('b')], 'noStream'))._unsafeUnwrap();
        const result = await store.append(room, [addedEvent('c')], expected);
        if (accepted) {
          expect(result._unsafeUnwrap().version).toBe(existing + 1);
        } else {
          expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'Concurrency', expected, actual: existing, stream: room });
          expect((await store.readStream(room))._unsafeUnwrap()).toHaveLength(existing);
          if (existing === 0) {
            expect((await store.loadRoom(room))._unsafeUnwrap()).toBeNull();
            expect((await store.rebuildProjections())._unsafeUnwrap().rooms).toBe(0);
          }
        }
      });

      it('answers a re-append of the same batch with the original events and writes nothing', async () => {
        const batch = [addedEvent(1, 'req-1'), addedEvent(2, 'req-1')];
        const first = (await store.append(room, batch, 'noStream'))._unsafeUnwrap();
        (await store.append(room, [addedEvent(3)], 2))._unsafeUnwrap();
        const again = (await store.append(room, batch, 'noStream'))._unsafeUnwrap();
        expect(again).toEqual({ stream: room, version: 3, events: first.events, replayed: true });
        expect(await wholeLog(store)).toHaveLength(3);
      });

      it('refuses event ids that are stored in another batch or stream', async () => {
        const batch = [addedEvent(1), addedEvent(2)];
        (await store.append(room, batch, 'noStream'))._unsafeUnwrap();
        const partial = await store.append(room, [batch[1] as NewEvent, addedEvent(3)], 'any');
        expect(partial._unsafeUnwrapErr()).toMatchObject({ type: 'EventIdConflict', eventId: batch[1]?.eventId });
        const elsewhere = await store.append(stream('contoso', 2), batch, 'any');
        expect(elsewhere._unsafeUnwrapErr()).toMatchObject({ type: 'EventIdConflict' });
        expect(await wholeLog(store)).toHaveLength(2);
      });

      it('keeps streams of different tenants apart', async () => {
        (await store.append(room, [addedEvent(1)], 'noStream'))._unsafeUnwrap();
        const other = { ...room, tenantId: stream('fabrikam', 1).tenantId };
        expect((await store.append(other, [addedEvent(1)], 'noStream'))._unsafeUnwrap().version).toBe(1);
        expect((await store.readStream(other))._unsafeUnwrap()).toHaveLength(1);
      });

      it('accepts an empty append without writing', async () => {
        const result = (await store.append(room, [], 'any'))._unsafeUnwrap();
        expect(result.version).toBe(0);
        expect(await wholeLog(store)).toEqual([]);
        expect((await store.loadRoom(room))._unsafeUnwrap()).toBeNull();
      });
    });

    describe('reading', () => {
      it('reads a stream by version range', async () => {
        (
          await store.append(
            room,
            [1, 2, 3, 4].map((n) => addedEvent(n)),
            'noStream',
          )
        )._unsafeUnwrap();
        const read = async (range: { fromVersion?: number; toVersion?: number }) =>
          (await store.readStream(room, range))._unsafeUnwrap().map((event) => event.version);
        expect(await read({})).toEqual([1, 2, 3, 4]);
        expect(await read({ fromVersion: 2, toVersion: 3 })).toEqual([2, 3]);
        expect(await read({ fromVersion: 4 })).toEqual([4]);
        expect(await read({ fromVersion: 5 })).toEqual([]);
        expect(await read({ toVersion: 0 })).toEqual([]);
        expect((await store.readStream(stream('contoso', 9)))._unsafeUnwrap()).toEqual([]);
      });

      it('reads the whole log in position order, from any position, without gaps', async () => {
        for (let n = 0; n < 5; n += 1)
          (await store.append(stream('contoso', n + 1), [addedEvent(n), addedEvent(n + 10)], 'noStream'))._unsafeUnwrap();
        const all = await wholeLog(store);
        expect(all.map((event) => event.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect((await store.readAll({ afterPosition: 3, limit: 4 }))._unsafeUnwrap().map((event) => event.position)).toEqual([4, 5, 6, 7]);
        expect((await store.readAll({ afterPosition: 10, limit: 4 }))._unsafeUnwrap()).toEqual([]);
        expect((await store.readAll({ afterPosition: 0, limit: 0 }))._unsafeUnwrap()).toEqual([]);
      });
    });

    describe('projections', () => {
      async function seeded() {
        const clock = manualClock();
        const service = createRoomService({ store, clock, ids: sequentialIds(1) });
        const tenantId = room.tenantId;
        const created = [];
        for (let n = 0; n < 7; n += 1) {
          created.push((await service.createRoom(tenantId, { participants: [{ id: participant(n), role: 'Presenter' }] }))._unsafeUnwrap());
          clock.advance(HOUR);
        }
        return { service, clock, created };
      }

      it('loads a room as the fold of its stream, with its version', async () => {
        const { service, created } = await seeded();
        const key = created[0]?.stream as StreamKey;
        (await service.addParticipants(key, [{ id: participant('x') }, { id: participant('y'), role: 'Consumer' }]))._unsafeUnwrap();
        const loaded = (await store.loadRoom(key))._unsafeUnwrap();
        const history = (await store.readStream(key))._unsafeUnwrap();
        expect(loaded).toEqual({ version: history.length, state: fold(history) });
        expect((await store.loadRoom(stream('contoso', 99)))._unsafeUnwrap()).toBeNull();
      });

      it('lists rooms newest first in keyset pages, without deleted rooms or other tenants', async () => {
        const { service, created } = await seeded();
        (await service.deleteRoom(created[2]?.stream as StreamKey))._unsafeUnwrap();
        (await service.createRoom(stream('fabrikam', 1).tenantId))._unsafeUnwrap();
        const listed = await allRooms(store, room.tenantId, 2);
        const expected = created
          .filter((_, index) => index !== 2)
          .map((result) => result.stream.roomId)
          .reverse();
        expect(listed.map((summary) => summary.roomId)).toEqual(expected);
        expect(await allRooms(store, room.tenantId, 1000)).toEqual(listed);
        const first = created[0];
        if (first?.state.status !== 'active') throw new Error('room not created');
        expect((await store.getRoom(first.stream))._unsafeUnwrap()).toEqual({
          tenantId: first.stream.tenantId,
          roomId: first.stream.roomId,
          createdAt: first.state.room.createdAt,
          validFrom: first.state.room.validFrom,
          validUntil: first.state.room.validUntil,
          pstnDialOutEnabled: false,
        });
        expect((await store.getRoom(created[2]?.stream as StreamKey))._unsafeUnwrap()).toBeNull();
      });

      it('refuses a page token it did not issue and a bad page size', async () => {
        expect((await store.listRooms({ tenantId: room.tenantId, pageToken: 'not a token' }))._unsafeUnwrapErr()).toMatchObject({
          type: 'InvalidPageToken',
        });
        expect((await store.listParticipants(room, { pageSize: 0 }))._unsafeUnwrapErr()).toMatchObject({ type: 'InvalidPageSize' });
      });

      it('lists the roster in the order participants were first added, following role changes and removals', async () => {
        const { service, created } = await seeded();
        const key = created[0]?.stream as StreamKey;
        const ids = [1, 2, 3, 4, 5].map((n) => ({ id: participant(`p${n}`) }));
        (await service.addParticipants(key, ids))._unsafeUnwrap();
        (await service.removeParticipants(key, [participant('p2')]))._unsafeUnwrap();
        (await service.addParticipants(key, [{ id: participant('p4'), role: 'Collaborator' }, { id: participant('p2') }]))._unsafeUnwrap();
        const roster = await allParticipants(store, key, 2);
        expect(roster).toEqual([
          { participantId: participant(0), role: 'Presenter' },
          { participantId: participant('p1'), role: 'Attendee' },
          { participantId: participant('p3'), role: 'Attendee' },
          { participantId: participant('p4'), role: 'Collaborator' },
          { participantId: participant('p5'), role: 'Attendee' },
          { participantId: participant('p2'), role: 'Attendee' },
        ]);
        (await service.deleteRoom(key))._unsafeUnwrap();
        expect(await allParticipants(store, key, 10)).toEqual([]);
      });

      it('remembers the events each request id first appended', async () => {
        const { service, created, clock } = await seeded();
        const key = created[1]?.stream as StreamKey;
        const when = clock.now().toISOString();
        (await service.addParticipants(key, [{ id: participant('a') }, { id: participant('b') }], { requestId: 'req-42' }))._unsafeUnwrap();
        clock.advance(HOUR);
        (await service.addParticipants(created[3]?.stream as StreamKey, [{ id: participant('c') }], { requestId: 'req-42' }))._unsafeUnwrap();
        expect((await store.findByRequestId(key.tenantId, 'req-42'))._unsafeUnwrap()).toEqual({
          tenantId: key.tenantId,
          requestId: 'req-42',
          roomId: key.roomId,
          fromVersion: 3,
          toVersion: 4,
          at: when,
        });
        expect((await store.findByRequestId(key.tenantId, 'unknown'))._unsafeUnwrap()).toBeNull();
        expect((await store.findByRequestId(stream('fabrikam', 1).tenantId, 'req-42'))._unsafeUnwrap()).toBeNull();
      });

      it('rebuilds every projection from the log to exactly what the appends made, reporting progress', async () => {
        const { service, created } = await seeded();
        (await service.deleteRoom(created[4]?.stream as StreamKey))._unsafeUnwrap();
        (await service.addParticipants(created[5]?.stream as StreamKey, [{ id: participant('z') }], { requestId: 'r' }))._unsafeUnwrap();
        const snapshot = async () => ({
          rooms: await allRooms(store, room.tenantId, 3),
          loaded: await Promise.all(created.map(async (result) => (await store.loadRoom(result.stream))._unsafeUnwrap())),
          rosters: await Promise.all(created.map((result) => allParticipants(store, result.stream, 2))),
          request: (await store.findByRequestId(room.tenantId, 'r'))._unsafeUnwrap(),
        });
        const before = await snapshot();
        const progress: number[] = [];
        const report = (await store.rebuildProjections((step) => progress.push(step.processed)))._unsafeUnwrap();
        const total = (await wholeLog(store)).length;
        expect(report).toEqual({ events: total, rooms: created.length });
        expect(progress.at(-1)).toBe(total);
        expect(await snapshot()).toEqual(before);
      });
    });

    it('agrees with the memory model on random sequences of commands, appends, reads and rebuilds', async () => {
      const { modelBasedContract } = await import('./model-based.js');
      await modelBasedContract(factory);
    });

    it('keeps checkpoints', async () => {
      expect((await store.checkpoints.get('webhooks'))._unsafeUnwrap()).toBeNull();
      (await store.checkpoints.set('webhooks', 42))._unsafeUnwrap();
      (await store.checkpoints.set('webhooks', 43))._unsafeUnwrap();
      expect((await store.checkpoints.get('webhooks'))._unsafeUnwrap()).toBe(43);
      expect((await store.checkpoints.get('other'))._unsafeUnwrap()).toBeNull();
    });

    it('answers with a StoreFailure, not a throw, once closed', async () => {
      await store.close();
      expect((await store.append(room, [addedEvent(1)], 'any'))._unsafeUnwrapErr()).toMatchObject({ type: 'StoreFailure' });
      expect((await store.loadRoom(room))._unsafeUnwrapErr()).toMatchObject({ type: 'StoreFailure' });
      expect((await store.readAll({ afterPosition: 0, limit: 1 }))._unsafeUnwrapErr()).toMatchObject({ type: 'StoreFailure' });
      await store.close();
    });
  });
}
