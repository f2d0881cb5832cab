import { join } from 'node:path';
import { createRoomService, type EventStore, type StreamKey } from '@usher/core';
import { createPostgresStore } from '@usher/store-postgres';
import { createSqliteStore } from '@usher/store-sqlite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock, participant, sequentialIds, stream } from '../support/fixtures.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { errValue, okValue } from '../support/results.js';
import { temporaryDirectory } from '../support/stores.js';
import { addedEvent, wholeLog } from './contract.js';

/** A store of one kind on one database, told of each commit's size; `reopen` opens the same database again. */
interface GroupCommitTarget {
  readonly name: string;
  open(database: string, onCommit?: (appends: number) => void): Promise<EventStore>;
  dispose(): Promise<void>;
}

const directory = temporaryDirectory('group-commit');
const targets: GroupCommitTarget[] = [
  {
    name: 'SQLite',
    open: async (database, onCommit) => createSqliteStore({ path: join(directory.path, `${database}.db`), onCommit }),
    dispose: async () => directory.remove(),
  },
];
const url = postgresUrl();
if (url !== null) {
  const factory = postgresFactory(url);
  const schemas = new Map<string, string>();
  targets.push({
    name: 'PostgreSQL',
    open: async (database, onCommit) => {
      let schema = schemas.get(database);
      if (schema === undefined) {
        // A migrated schema of its own, held open by the factory until disposal.
        schema = factory.schemaOf(await factory.open());
        schemas.set(database, schema);
      }
      return createPostgresStore({ connectionString: url, schema, onCommit });
    },
    dispose: () => factory.dispose(),
  });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.each(targets)('group commit on $name', (target) => {
  afterAll(() => target.dispose());

  it('commits the appends of one turn together; a refused one (wrong expected version) undoes nothing of the others', async () => {
    const commits: number[] = [];
    const store = await target.open('group', (appends) => commits.push(appends));
    const rooms = [1, 2, 3, 4].map((n) => stream('contoso', n));
    await okValue(store.append(rooms[0] as StreamKey, [addedEvent('seed')], 'noStream'));
    commits.length = 0;

    // Made in one turn: one for a new stream, one at the right version, one at a wrong one, one more new stream.
    const made = [
      store.append(rooms[1] as StreamKey, [addedEvent('a'), addedEvent('b')], 'noStream'),
      store.append(rooms[0] as StreamKey, [addedEvent('c')], 1),
      store.append(rooms[2] as StreamKey, [addedEvent('d')], 5),
      store.append(rooms[3] as StreamKey, [addedEvent('e')], 'any'),
    ];
    const [first, second, third, fourth] = await Promise.all(made);
    expect(commits).toEqual([4]);
    expect(first?._unsafeUnwrap().version).toBe(2);
    expect(second?._unsafeUnwrap().version).toBe(2);
    expect(third?._unsafeUnwrapErr()).toMatchObject({ type: 'Concurrency' });
    expect(fourth?._unsafeUnwrap().version).toBe(1);

    const log = await wholeLog(store);
    expect(log.map((event) => (event.data as { participant: string }).participant)).toEqual(
      ['seed', 'a', 'b', 'c', 'e'].map((name) => participant(name)),
    );
    expect(log.map((event) => event.position)).toEqual([1, 2, 3, 4, 5]);
    expect(await okValue(store.loadStream(rooms[2] as StreamKey))).toBeNull();
    expect((await okValue(store.loadStream(rooms[0] as StreamKey)))?.version).toBe(2);
    await store.close();

    // What was committed is there when the database is opened again; the refused append left nothing.
    const reopened = await target.open('group');
    expect((await wholeLog(reopened)).length).toBe(5);
    await reopened.close();
  });

  it('sees, within one group, what an earlier append of the group wrote to the same stream', async () => {
    const commits: number[] = [];
    const store = await target.open('same-stream', (appends) => commits.push(appends));
    const room = stream('contoso', 1);
    await okValue(store.append(room, [addedEvent('seed')], 'noStream'));
    await okValue(store.loadStream(room));
    commits.length = 0;
    // One turn: the second expects the version the first makes, the third the version the first found.
    const [first, second, third] = await Promise.all([
      store.append(room, [addedEvent('a')], 1),
      store.append(room, [addedEvent('b')], 2),
      store.append(room, [addedEvent('c')], 1),
    ]);
    expect(commits).toEqual([3]);
    expect(first?._unsafeUnwrap().version).toBe(2);
    expect(second?._unsafeUnwrap().version).toBe(3);
    expect(third?._unsafeUnwrapErr()).toMatchObject({ type: 'Concurrency' });
    expect((await okValue(store.loadStream(room)))?.version).toBe(3);
    expect((await wholeLog(store)).map((event) => event.version)).toEqual([1, 2, 3]);
    await store.close();
  });

  it('answers every caller of a group; commands on many rooms at once share commits', async () => {
    const commits: number[] = [];
    const store = await target.open('many', (appends) => commits.push(appends));
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(5) });
    const rooms = await Promise.all(
      Array.from({ length: 20 }, async (_, n) => (await okValue(service.createRoom(stream('contoso', n).tenantId))).stream),
    );
    const added = await Promise.all(rooms.map((room, n) => service.addParticipants(room, [{ id: participant(n) }])));
    expect(added.every((result) => result.isOk())).toBe(true);
    expect(Math.max(...commits)).toBeGreaterThan(1);
    expect(commits.reduce((sum, appends) => sum + appends, 0)).toBe(40);
    // A refused command in the crowd: a room that does not exist.
    const results = await Promise.all([
      ...rooms.slice(0, 5).map((room, n) => service.addParticipants(room, [{ id: participant(`x${n}`) }])),
      service.addParticipants(stream('contoso', 999), [{ id: participant('nobody') }]),
    ]);
    expect(results.slice(0, 5).every((result) => result.isOk())).toBe(true);
    expect(await errValue(Promise.resolve(results[5] as (typeof results)[number]))).toMatchObject({ type: 'RoomNotFound' });
    await store.close();
  });

  it('commits the appends still waiting when the store is closed', async () => {
    const store = await target.open('closing');
    const appended = store.append(stream('contoso', 1), [addedEvent('late')], 'noStream');
    await store.close();
    expect((await appended)._unsafeUnwrap().version).toBe(1);
    const reopened = await target.open('closing');
    expect((await wholeLog(reopened)).length).toBe(1);
    await reopened.close();
  });

  // PostgreSQL only: a SQLite group commits in the turn it was made in, and is never out.
  if (target.name === 'PostgreSQL')
    it('one group out at a time: appends made while a group is out wait for it, then go together in the next, whatever turn each was made in', async () => {
      const commits: number[] = [];
      const store = await target.open('one-out', (appends) => commits.push(appends));
      // Another session holds the lock every append takes (usher_append's pg_advisory_xact_lock), so that
      // the first group stays out until the test lets it through.
      const holder = new pg.Client({ connectionString: url as string });
      await holder.connect();
      await holder.query('SELECT pg_advisory_lock(7231514)');
      try {
        const first = store.append(stream('contoso', 1), [addedEvent('first')], 'noStream');
        await nextTurn();
        await nextTurn();
        const later = [];
        for (const n of [2, 3, 4]) {
          later.push(store.append(stream('contoso', n), [addedEvent(`later${n}`)], 'noStream'));
          await nextTurn();
        }
        expect(commits).toEqual([1]);
        await holder.query('SELECT pg_advisory_unlock(7231514)');
        expect((await first)._unsafeUnwrap().version).toBe(1);
        for (const appended of await Promise.all(later)) expect(appended._unsafeUnwrap().version).toBe(1);
        expect(commits).toEqual([1, 3]);
        expect((await wholeLog(store)).map((event) => event.position)).toEqual([1, 2, 3, 4]);
      } finally {
        await holder.end();
        await store.close();
      }
    });
});
