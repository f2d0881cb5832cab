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
import { errValue, okValue } from '../support/results.js';
import type { StoreFactory } from '../support/stores.js';

/** A RoomCreated's data for `room`: made at T0, open for an hour. */
function roomCreatedAt(room: StreamKey) {
  return {
    roomId: room.roomId,
    createdAt: T0.toISOString(),
    validFrom: T0.toISOString(),
    validUntil: new Date(T0.getTime() + HOUR).toISOString(),
    pstnDialOutEnabled: false,
    expiryPolicy: 'blockJoins' as const,
  };
}

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
  return allPages(async (pageToken) => await okValue(store.listRooms({ tenantId, pageToken, pageSize })));
}

export async function allParticipants(store: EventStore, key: StreamKey, pageSize: number): Promise<ParticipantRecord[]> {
  return allPages(async (pageToken) => await okValue(store.listParticipants(key, { pageToken, pageSize })));
}

export async function wholeLog(store: EventStore): Promise<StoredEvent[]> {
  return await okValue(store.readAll({ afterPosition: 0, limit: 1_000_000 }));
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
        const appended = await okValue(store.append(room, [addedEvent(1), addedEvent(2)], 'noStream'));
        expect(appended.version).toBe(2);
        expect(appended.replayed).toBe(false);
        expect(appended.events.map((event) => event.version)).toEqual([1, 2]);
        expect(appended.events[0]?.prevHash).toBe(GENESIS_HASH);
        expect(verifyStream(appended.events).isOk()).toBe(true);
        const more = await okValue(store.append(room, [addedEvent(3)], 2));
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
        if (existing > 0) await okValue(store.append(room, [addedEvent('a'), addedEvent('b')], 'noStream'));
        const result = await store.append(room, [addedEvent('c')], expected);
        if (accepted) {
          expect(result._unsafeUnwrap().version).toBe(existing + 1);
        } else {
          expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'Concurrency', expected, actual: existing, stream: room });
          expect(await okValue(store.readStream(room))).toHaveLength(existing);
          if (existing === 0) {
            expect(await okValue(store.loadRoom(room))).toBeNull();
            expect((await okValue(store.rebuildProjections())).rooms).toBe(0);
          }
        }
      });

      it('answers a re-append of the same batch with the original events and writes nothing', async () => {
        const batch = [addedEvent(1, 'req-1'), addedEvent(2, 'req-1')];
        const first = await okValue(store.append(room, batch, 'noStream'));
        await okValue(store.append(room, [addedEvent(3)], 2));
        const again = await okValue(store.append(room, batch, 'noStream'));
        expect(again).toEqual({ stream: room, version: 3, events: first.events, replayed: true });
        expect(await wholeLog(store)).toHaveLength(3);
      });

      it('refuses event ids that are stored in another batch or stream', async () => {
        const batch = [addedEvent(1), addedEvent(2)];
        await okValue(store.append(room, batch, 'noStream'));
        const partial = await store.append(room, [batch[1] as NewEvent, addedEvent(3)], 'any');
        expect(partial._unsafeUnwrapErr()).toMatchObject({ type: 'EventIdConflict', eventId: batch[1]?.eventId });
        const elsewhere = await store.append(stream('contoso', 2), batch, 'any');
        expect(elsewhere._unsafeUnwrapErr()).toMatchObject({ type: 'EventIdConflict' });
        expect(await wholeLog(store)).toHaveLength(2);
      });

      it('keeps streams of different tenants apart', async () => {
        await okValue(store.append(room, [addedEvent(1)], 'noStream'));
        const other = { ...room, tenantId: stream('fabrikam', 1).tenantId };
        expect((await okValue(store.append(other, [addedEvent(1)], 'noStream'))).version).toBe(1);
        expect(await okValue(store.readStream(other))).toHaveLength(1);
      });

      it('accepts an empty append without writing', async () => {
        const result = await okValue(store.append(room, [], 'any'));
        expect(result.version).toBe(0);
        expect(await wholeLog(store)).toEqual([]);
        expect(await okValue(store.loadRoom(room))).toBeNull();
      });
    });

    describe('reading', () => {
      it('reads a stream by version range', async () => {
        await okValue(
          store.append(
            room,
            [1, 2, 3, 4].map((n) => addedEvent(n)),
            'noStream',
          ),
        );
        const read = async (range: { fromVersion?: number; toVersion?: number }) =>
          (await okValue(store.readStream(room, range))).map((event) => event.version);
        expect(await read({})).toEqual([1, 2, 3, 4]);
        expect(await read({ fromVersion: 2, toVersion: 3 })).toEqual([2, 3]);
        expect(await read({ fromVersion: 4 })).toEqual([4]);
        expect(await read({ fromVersion: 5 })).toEqual([]);
        expect(await read({ toVersion: 0 })).toEqual([]);
        expect(await okValue(store.readStream(stream('contoso', 9)))).toEqual([]);
      });

      it('reads the whole log in position order, from any position, without gaps', async () => {
        for (let n = 0; n < 5; n += 1) await okValue(store.append(stream('contoso', n + 1), [addedEvent(n), addedEvent(n + 10)], 'noStream'));
        const all = await wholeLog(store);
        expect(all.map((event) => event.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect((await okValue(store.readAll({ afterPosition: 3, limit: 4 }))).map((event) => event.position)).toEqual([4, 5, 6, 7]);
        expect(await okValue(store.readAll({ afterPosition: 10, limit: 4 }))).toEqual([]);
        expect(await okValue(store.readAll({ afterPosition: 0, limit: 0 }))).toEqual([]);
      });
    });

    describe('projections', () => {
      it('keeps the roster listing equal to the state, also for a log that breaks the rules (events before a room exists, a second RoomCreated)', async () => {
        const created = (n: number): NewEvent => ({
          type: 'RoomCreated',
          data: roomCreatedAt(room),
          eventId: newIds.eventId(),
          schemaVersion: 1,
          meta: { at: T0.toISOString(), actor: `contract-${n}` },
        });
        await okValue(store.append(room, [addedEvent('before')], 'any'));
        await okValue(store.append(room, [created(1), addedEvent('first')], 'any'));
        const listed = async () => (await allParticipants(store, room, 10)).map((record) => record.participantId);
        const rosterOf = async () => {
          const loaded = await okValue(store.loadRoom(room));
          return loaded?.state.status === 'active' ? [...loaded.state.room.roster.keys()] : [];
        };
        expect(await listed()).toEqual([participant('first')]);
        expect(await rosterOf()).toEqual([participant('first')]);
        await okValue(store.append(room, [created(2), addedEvent('second')], 'any'));
        expect(await listed()).toEqual([participant('second')]);
        expect(await rosterOf()).toEqual([participant('second')]);
        await okValue(store.rebuildProjections());
        expect(await listed()).toEqual([participant('second')]);
        expect(await okValue(store.loadRoom(room))).toEqual({ version: 5, state: fold(await okValue(store.readStream(room))) });
      });

      async function seeded() {
        const clock = manualClock();
        const service = createRoomService({ store, clock, ids: sequentialIds(1) });
        const tenantId = room.tenantId;
        const created = [];
        for (let n = 0; n < 7; n += 1) {
          created.push(await okValue(service.createRoom(tenantId, { participants: [{ id: participant(n), role: 'Presenter' }] })));
          clock.advance(HOUR);
        }
        return { service, clock, created };
      }

      it('loads a room as the fold of its stream, with its version', async () => {
        const { service, created } = await seeded();
        const key = created[0]?.stream as StreamKey;
        await okValue(service.addParticipants(key, [{ id: participant('x') }, { id: participant('y'), role: 'Consumer' }]));
        const loaded = await okValue(store.loadRoom(key));
        const history = await okValue(store.readStream(key));
        expect(loaded).toEqual({ version: history.length, state: fold(history) });
        expect(await okValue(store.loadRoom(stream('contoso', 99)))).toBeNull();
      });

      it('loads for a command what this process appended last, and nothing for a stream it never wrote', async () => {
        const { service, created } = await seeded();
        const key = created[0]?.stream as StreamKey;
        await okValue(service.addParticipants(key, [{ id: participant('x') }]));
        await okValue(service.removeParticipants(key, [participant('x')]));
        const history = await okValue(store.readStream(key));
        expect(await okValue(store.loadStream(key, { checkedByAppend: true }))).toEqual({ version: history.length, state: fold(history) });
        expect(await okValue(store.loadStream(stream('contoso', 99), { checkedByAppend: true }))).toBeNull();
      });

      it('lists rooms newest first in keyset pages, without deleted rooms or other tenants', async () => {
        const { service, created } = await seeded();
        await okValue(service.deleteRoom(created[2]?.stream as StreamKey));
        await okValue(service.createRoom(stream('fabrikam', 1).tenantId));
        const listed = await allRooms(store, room.tenantId, 2);
        const expected = created
          .filter((_, index) => index !== 2)
          .map((result) => result.stream.roomId)
          .reverse();
        expect(listed.map((summary) => summary.roomId)).toEqual(expected);
        expect(await allRooms(store, room.tenantId, 1000)).toEqual(listed);
        const first = created[0];
        if (first?.state.status !== 'active') throw new Error('room not created');
        expect(await okValue(store.getRoom(first.stream))).toEqual({
          tenantId: first.stream.tenantId,
          roomId: first.stream.roomId,
          createdAt: first.state.room.createdAt,
          validFrom: first.state.room.validFrom,
          validUntil: first.state.room.validUntil,
          pstnDialOutEnabled: false,
        });
        expect(await okValue(store.getRoom(created[2]?.stream as StreamKey))).toBeNull();
      });

      it('refuses a page token it did not issue and a bad page size', async () => {
        expect(await errValue(store.listRooms({ tenantId: room.tenantId, pageToken: 'not a token' }))).toMatchObject({
          type: 'InvalidPageToken',
        });
        expect(await errValue(store.listParticipants(room, { pageSize: 0 }))).toMatchObject({ type: 'InvalidPageSize' });
      });

      it('lists the roster in the order participants were first added, following role changes and removals', async () => {
        const { service, created } = await seeded();
        const key = created[0]?.stream as StreamKey;
        const ids = [1, 2, 3, 4, 5].map((n) => ({ id: participant(`p${n}`) }));
        await okValue(service.addParticipants(key, ids));
        await okValue(service.removeParticipants(key, [participant('p2')]));
        await okValue(service.addParticipants(key, [{ id: participant('p4'), role: 'Collaborator' }, { id: participant('p2') }]));
        const roster = await allParticipants(store, key, 2);
        expect(roster).toEqual([
          { participantId: participant(0), role: 'Presenter' },
          { participantId: participant('p1'), role: 'Attendee' },
          { participantId: participant('p3'), role: 'Attendee' },
          { participantId: participant('p4'), role: 'Collaborator' },
          { participantId: participant('p5'), role: 'Attendee' },
          { participantId: participant('p2'), role: 'Attendee' },
        ]);
        await okValue(service.deleteRoom(key));
        expect(await allParticipants(store, key, 10)).toEqual([]);
      });

      it('remembers the events each request id first appended', async () => {
        const { service, created, clock } = await seeded();
        const key = created[1]?.stream as StreamKey;
        const when = clock.now().toISOString();
        await okValue(service.addParticipants(key, [{ id: participant('a') }, { id: participant('b') }], { requestId: 'req-42' }));
        clock.advance(HOUR);
        await okValue(service.addParticipants(created[3]?.stream as StreamKey, [{ id: participant('c') }], { requestId: 'req-42' }));
        expect(await okValue(store.findByRequestId(key.tenantId, 'req-42'))).toEqual({
          tenantId: key.tenantId,
          requestId: 'req-42',
          roomId: key.roomId,
          fromVersion: 3,
          toVersion: 4,
          at: when,
        });
        expect(await okValue(store.findByRequestId(key.tenantId, 'unknown'))).toBeNull();
        expect(await okValue(store.findByRequestId(stream('fabrikam', 1).tenantId, 'req-42'))).toBeNull();
      });

      it('rebuilds every projection from the log to exactly what the appends made, reporting progress', async () => {
        const { service, created } = await seeded();
        await okValue(service.deleteRoom(created[4]?.stream as StreamKey));
        await okValue(service.addParticipants(created[5]?.stream as StreamKey, [{ id: participant('z') }], { requestId: 'r' }));
        const snapshot = async () => ({
          rooms: await allRooms(store, room.tenantId, 3),
          loaded: await Promise.all(created.map(async (result) => await okValue(store.loadRoom(result.stream)))),
          rosters: await Promise.all(created.map((result) => allParticipants(store, result.stream, 2))),
          request: await okValue(store.findByRequestId(room.tenantId, 'r')),
        });
        const before = await snapshot();
        const progress: number[] = [];
        const report = await okValue(store.rebuildProjections((step) => progress.push(step.processed)));
        const total = (await wholeLog(store)).length;
        expect(report).toEqual({ events: total, rooms: created.length });
        expect(progress.at(-1)).toBe(total);
        expect(await snapshot()).toEqual(before);
      });

      it('rebuilds a run that adds and removes participants and repeats request ids to what its append made', async () => {
        const event = (type: string, data: Record<string, unknown>, requestId: string): NewEvent =>
          ({ type, data, eventId: newIds.eventId(), schemaVersion: 1, meta: { at: T0.toISOString(), actor: 'contract', requestId } }) as NewEvent;
        const added = (who: string, requestId: string) => event('ParticipantAdded', { participant: participant(who), role: 'Attendee' }, requestId);
        const removed = (who: string, requestId: string) => event('ParticipantRemoved', { participant: participant(who) }, requestId);
        const created = event('RoomCreated', roomCreatedAt(room), 'setup');
        await okValue(store.append(room, [created, added('keep', 'setup'), added('again', 'setup')], 'noStream'));
        await okValue(
          store.append(
            room,
            [
              added('passing', 'a'),
              removed('passing', 'a'),
              removed('again', 'b'),
              added('again', 'b'),
              event('ParticipantRoleChanged', { participant: participant('keep'), from: 'Attendee', to: 'Presenter' }, 'c'),
              added('late', 'a'),
              event('ParticipantRoleChanged', { participant: participant('late'), from: 'Attendee', to: 'Consumer' }, 'a'),
              removed('late', 'a'),
              removed('never', 'd'),
            ],
            3,
          ),
        );
        const ledger = (requestId: string, fromVersion: number, toVersion: number) => ({
          tenantId: room.tenantId,
          requestId,
          roomId: room.roomId,
          fromVersion,
          toVersion,
          at: T0.toISOString(),
        });
        const snapshot = async () => ({
          roster: await allParticipants(store, room, 10),
          loaded: await okValue(store.loadRoom(room)),
          requests: await Promise.all(['setup', 'a', 'b', 'c', 'd'].map(async (id) => await okValue(store.findByRequestId(room.tenantId, id)))),
        });
        const appended = await snapshot();
        expect(appended.roster).toEqual([
          { participantId: participant('keep'), role: 'Presenter' },
          { participantId: participant('again'), role: 'Attendee' },
        ]);
        expect(appended.loaded).toEqual({ version: 12, state: fold(await okValue(store.readStream(room))) });
        expect(appended.requests).toEqual([ledger('setup', 1, 3), ledger('a', 4, 5), ledger('b', 6, 7), ledger('c', 8, 8), ledger('d', 12, 12)]);
        await okValue(store.rebuildProjections());
        expect(await snapshot()).toEqual(appended);
      });
    });

    // 500 runs against a real database that other suites use at the same time: minutes, not the default minute.
    it('agrees with the memory model on random sequences of commands, appends, reads and rebuilds', { timeout: 300_000 }, async () => {
      const { modelBasedContract } = await import('./model-based.js');
      await modelBasedContract(factory);
    });

    describe('what calls and tokens need', () => {
      it('hands a lease to one holder at a time, to another once it lapses or is handed back', async () => {
        const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();
        expect(await okValue(store.leases.acquire('expiry', 'node-a', at(0), at(1)))).toBe(true);
        expect(await okValue(store.leases.acquire('expiry', 'node-b', at(0), at(1)))).toBe(false);
        expect(await okValue(store.leases.acquire('other', 'node-b', at(0), at(1)))).toBe(true);
        expect(await okValue(store.leases.acquire('expiry', 'node-a', at(0.5), at(1.5)))).toBe(true);
        expect(await okValue(store.leases.acquire('expiry', 'node-b', at(1.2), at(2)))).toBe(false);
        expect(await okValue(store.leases.acquire('expiry', 'node-b', at(1.5), at(2.5)))).toBe(true);
        expect(await okValue(store.leases.acquire('expiry', 'node-a', at(1.6), at(2.6)))).toBe(false);
        await okValue(store.leases.release('expiry', 'node-a'));
        expect(await okValue(store.leases.acquire('expiry', 'node-a', at(1.6), at(2.6)))).toBe(false);
        await okValue(store.leases.release('expiry', 'node-b'));
        expect(await okValue(store.leases.acquire('expiry', 'node-a', at(1.6), at(2.6)))).toBe(true);
      });

      it('keeps signing keys, oldest first, outside the event log', async () => {
        expect(await okValue(store.signingKeys.list())).toEqual([]);
        const key = (kid: string, createdAt: string) => ({ kid, createdAt, privateJwk: `{"d":"${kid}"}`, publicJwk: `{"x":"${kid}"}` });
        await okValue(store.signingKeys.add(key('first', T0.toISOString())));
        await okValue(store.signingKeys.add(key('second', new Date(T0.getTime() + HOUR).toISOString())));
        expect(await okValue(store.signingKeys.list())).toEqual([
          key('first', T0.toISOString()),
          key('second', new Date(T0.getTime() + HOUR).toISOString()),
        ]);
        expect(await wholeLog(store)).toEqual([]);
      });

      it('finds the rooms of a participant, and the calls whose endCall window has closed, across tenants, oldest first', async () => {
        const clock = manualClock();
        const service = createRoomService({ store, clock, ids: sequentialIds(31) });
        const ends = (hours: number) => new Date(T0.getTime() + hours * HOUR);
        const open = async (key: StreamKey, hours: number, policy: 'endCall' | 'blockJoins', join: boolean) => {
          await okValue(
            service.execute(key, {
              type: 'CreateRoom',
              roomId: key.roomId,
              validUntil: ends(hours),
              expiryPolicy: policy,
              participants: [{ id: participant(1), role: 'Presenter' }],
            }),
          );
          if (join) await okValue(service.joinCall(key, participant(1)));
        };
        const late = stream('contoso', 11);
        const early = stream('fabrikam', 12);
        await open(late, 3, 'endCall', true);
        await open(early, 2, 'endCall', true);
        await open(stream('contoso', 13), 1, 'blockJoins', true);
        await open(stream('contoso', 14), 1, 'endCall', false);
        expect(await okValue(store.nextCallExpiry())).toBe(ends(2).toISOString());
        expect(await okValue(store.callsToExpire(ends(1).toISOString(), 10))).toEqual([]);
        expect(await okValue(store.callsToExpire(ends(2).toISOString(), 10))).toEqual([early]);
        expect(await okValue(store.callsToExpire(ends(5).toISOString(), 10))).toEqual([early, late]);
        expect(await okValue(store.callsToExpire(ends(5).toISOString(), 1))).toEqual([early]);
        clock.set(ends(2));
        await okValue(service.expireCall(early));
        expect(await okValue(store.callsToExpire(ends(5).toISOString(), 10))).toEqual([late]);
        // A window moved later takes the call off the list until then.
        await okValue(service.updateRoom(late, { validUntil: ends(6) }));
        expect(await okValue(store.callsToExpire(ends(5).toISOString(), 10))).toEqual([]);
        expect(await okValue(store.nextCallExpiry())).toBe(ends(6).toISOString());

        expect([...(await okValue(store.roomsOfParticipant(late.tenantId, participant(1))))].sort()).toEqual(
          [late.roomId, stream('contoso', 13).roomId, stream('contoso', 14).roomId].sort(),
        );
        await okValue(service.removeParticipants(late, [participant(1)]));
        expect(await okValue(store.roomsOfParticipant(late.tenantId, participant(1)))).not.toContain(late.roomId);
        expect(await okValue(store.roomsOfParticipant(early.tenantId, participant(1)))).toEqual([early.roomId]);
        expect(await okValue(store.nextCallExpiry())).toBeNull();
      });
    });

    it('keeps checkpoints', async () => {
      expect(await okValue(store.checkpoints.get('webhooks'))).toBeNull();
      await okValue(store.checkpoints.set('webhooks', 42));
      await okValue(store.checkpoints.set('webhooks', 43));
      expect(await okValue(store.checkpoints.get('webhooks'))).toBe(43);
      expect(await okValue(store.checkpoints.get('other'))).toBeNull();
    });

    it('answers with a StoreFailure, not a throw, once closed', async () => {
      await store.close();
      expect(await errValue(store.append(room, [addedEvent(1)], 'any'))).toMatchObject({ type: 'StoreFailure' });
      expect(await errValue(store.loadRoom(room))).toMatchObject({ type: 'StoreFailure' });
      expect(await errValue(store.readAll({ afterPosition: 0, limit: 1 }))).toMatchObject({ type: 'StoreFailure' });
      await store.close();
    });
  });
}
