import { join } from 'node:path';
import { createRoomService, fold, type StreamKey } from '@usher/core';
import {
  createSqliteStore,
  DEFAULT_WAL_AUTOCHECKPOINT_PAGES,
  MIGRATIONS,
  migrate,
  openSqliteDatabase,
  SCHEMA_VERSION,
  schemaVersionOf,
} from '@usher/store-sqlite';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock, participant, sequentialIds, stream, tenant } from '../support/fixtures.js';
import { errValue, okValue } from '../support/results.js';
import { temporaryDirectory } from '../support/stores.js';
import { addedEvent, allParticipants, wholeLog } from './contract.js';
import { interleavedRooms } from './version-2-upgrade.js';
import { callInProgress, DOWNGRADE_TO_2, expectFoundAfterUpgrade } from './version-3-upgrade.js';

/** Back to what version 7 left: streams, the log's version index and the roster keyed by the tenant and room ids. */
const DOWNGRADE_8_TO_7 = `
  CREATE TABLE participants_v7 (
    tenant_id TEXT NOT NULL, room_id TEXT NOT NULL, participant_id TEXT NOT NULL, role TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, room_id, seq)
  ) WITHOUT ROWID;
  INSERT INTO participants_v7 SELECT s.tenant_id, s.room_id, p.participant_id, p.role, p.seq
    FROM participants p JOIN streams s ON s.stream_key = p.stream_key;
  DROP TABLE participants;
  ALTER TABLE participants_v7 RENAME TO participants;
  CREATE UNIQUE INDEX participants_by_participant ON participants (tenant_id, participant_id, room_id);
  CREATE TABLE events_v7 (
    position INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, room_id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1), event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    schema_version INTEGER NOT NULL, data TEXT NOT NULL, meta TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    UNIQUE (tenant_id, room_id, version)
  );
  INSERT INTO events_v7 SELECT position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash FROM events;
  DROP TABLE events;
  ALTER TABLE events_v7 RENAME TO events;
  CREATE TABLE streams_v7 (
    tenant_id TEXT NOT NULL, room_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('absent', 'active', 'deleted')), state TEXT NOT NULL,
    created_position INTEGER, created_at TEXT, valid_from TEXT, valid_until TEXT, pstn_dial_out_enabled INTEGER, call_expires_at TEXT,
    UNIQUE (tenant_id, room_id)
  );
  -- In reverse key order, so that the upgrade cannot pass by keeping keys that happened to be rowids already.
  INSERT INTO streams_v7 SELECT tenant_id, room_id, status, state, created_position, created_at, valid_from, valid_until,
    pstn_dial_out_enabled, call_expires_at FROM streams ORDER BY stream_key DESC;
  DROP TABLE streams;
  ALTER TABLE streams_v7 RENAME TO streams;
  CREATE INDEX streams_active_by_creation_time ON streams (tenant_id, created_at, room_id) WHERE status = 'active';
  CREATE INDEX streams_calls_to_expire ON streams (call_expires_at, tenant_id, room_id) WHERE call_expires_at IS NOT NULL;
  DELETE FROM schema_migrations WHERE version = 8;`;

/** Back to what version 6 left: the stream row holding its version and hash, rewritten on every append. */
const DOWNGRADE_7_TO_6 = `
  ALTER TABLE streams ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE streams ADD COLUMN last_hash TEXT NOT NULL DEFAULT '';
  UPDATE streams SET
    version = (SELECT max(version) FROM events e WHERE e.tenant_id = streams.tenant_id AND e.room_id = streams.room_id),
    last_hash = (SELECT hash FROM events e WHERE e.tenant_id = streams.tenant_id AND e.room_id = streams.room_id ORDER BY version DESC LIMIT 1);
  DELETE FROM schema_migrations WHERE version = 7;`;

/** Back to what version 5 left: no event subscriptions, no dead letters. */
const DOWNGRADE_6_TO_5 = `
  DROP TABLE dead_letters;
  DROP TABLE event_subscriptions;
  DELETE FROM schema_migrations WHERE version = 6;`;

/** Back to what version 4 left: the roster keyed by participant with two indexes, positions from AUTOINCREMENT. */
const DOWNGRADE_5_TO_4 = `
  CREATE TABLE participants_v4 (
    tenant_id TEXT NOT NULL, room_id TEXT NOT NULL, participant_id TEXT NOT NULL, role TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, room_id, participant_id)
  ) WITHOUT ROWID;
  INSERT INTO participants_v4 SELECT tenant_id, room_id, participant_id, role, seq FROM participants;
  DROP TABLE participants;
  ALTER TABLE participants_v4 RENAME TO participants;
  CREATE UNIQUE INDEX participants_by_seq ON participants (tenant_id, room_id, seq);
  CREATE INDEX participants_by_participant ON participants (tenant_id, participant_id);
  CREATE TABLE events_v4 (
    position INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL, room_id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1), event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    schema_version INTEGER NOT NULL, data TEXT NOT NULL, meta TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    UNIQUE (tenant_id, room_id, version)
  );
  INSERT INTO events_v4 SELECT * FROM events;
  DROP TABLE events;
  ALTER TABLE events_v4 RENAME TO events;
  DELETE FROM schema_migrations WHERE version = 5;`;

/** The step back from each version, keyed by the version it undoes. */
const DOWNGRADES: Readonly<Record<number, string>> = { 8: DOWNGRADE_8_TO_7, 7: DOWNGRADE_7_TO_6, 6: DOWNGRADE_6_TO_5, 5: DOWNGRADE_5_TO_4 };

/** Takes a file of this build's schema back, a step at a time, to what `version` left. */
function downgradeTo(db: Database.Database, version: number): void {
  for (let from = schemaVersionOf(db); from > version; from -= 1) {
    const step = DOWNGRADES[from];
    if (step === undefined) throw new Error(`No downgrade from schema version ${from}: add one beside the migration.`);
    db.exec(step);
  }
  expect(schemaVersionOf(db)).toBe(version);
}

/**
 * A file of interleaved rooms taken back to `version` and opened again by this build, which upgrades it:
 * its log, listings and heads are checked to be what they were; the upgraded store is handed on open.
 */
async function upgradedFrom(parent: string, version: number) {
  const path = join(parent, `version-${version}.db`);
  const store = createSqliteStore({ path });
  const { rooms, listings } = await interleavedRooms(store);
  const before = await listings(store);
  const log = await wholeLog(store);
  const loaded = await Promise.all(rooms.map((room) => okValue(store.loadStream(room))));
  const roomsOfB = await okValue(store.roomsOfParticipant(tenant('contoso'), participant('b')));
  await store.close();
  const db = new Database(path);
  downgradeTo(db, version);
  db.close();

  const upgraded = createSqliteStore({ path });
  expect(await wholeLog(upgraded)).toEqual(log);
  expect(await listings(upgraded)).toEqual(before);
  expect(await Promise.all(rooms.map((room) => okValue(upgraded.loadStream(room))))).toEqual(loaded);
  return { upgraded, path, rooms, roomsOfB };
}

describe('SQLite file', () => {
  const directory = temporaryDirectory('sqlite-file');
  afterAll(() => directory.remove());

  it('keeps everything across close and reopen', async () => {
    const path = join(directory.path, 'reopen.db');
    const first = createSqliteStore({ path });
    const service = createRoomService({ store: first, clock: manualClock(), ids: sequentialIds(1) });
    const room = (await okValue(service.createRoom(tenant('contoso'), { participants: [{ id: participant('a'), role: 'Presenter' }] }))).stream;
    await okValue(first.checkpoints.set('hooks', 2));
    const log = await wholeLog(first);
    const loaded = await okValue(first.loadRoom(room));
    await first.close();

    const second = createSqliteStore({ path });
    expect(await wholeLog(second)).toEqual(log);
    expect(await okValue(second.loadRoom(room))).toEqual(loaded);
    expect(await allParticipants(second, room, 10)).toEqual([{ participantId: participant('a'), role: 'Presenter' }]);
    expect(await okValue(second.checkpoints.get('hooks'))).toBe(2);
    await second.close();
  });

  it('applies migrations explicitly, once, and records them', () => {
    const db = new Database(join(directory.path, 'migrate.db'));
    expect(schemaVersionOf(db)).toBe(0);
    expect(migrate(db).applied).toEqual(MIGRATIONS.map((migration) => migration.version));
    expect(migrate(db).applied).toEqual([]);
    expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toHaveLength(MIGRATIONS.length);
    db.close();
  });

  it('upgrades a version-1 file: roster keys become versions, listings show what they showed', async () => {
    const path = join(directory.path, 'version-1.db');
    const store = createSqliteStore({ path });
    const { listings } = await interleavedRooms(store);
    const before = await listings(store);
    await store.close();

    // Back to what version 1 left: the roster keyed by the log position of the adding event, rooms by position.
    const db = new Database(path);
    downgradeTo(db, 4);
    db.exec(`
      DROP INDEX participants_by_seq;
      UPDATE participants SET seq = (SELECT position FROM events e
        WHERE e.tenant_id = participants.tenant_id AND e.room_id = participants.room_id AND e.version = participants.seq);
      CREATE UNIQUE INDEX participants_by_seq ON participants (tenant_id, room_id, seq);
      DROP INDEX streams_active_by_creation_time;
      CREATE INDEX streams_active_by_creation ON streams (tenant_id, created_position) WHERE status = 'active';
      DELETE FROM schema_migrations WHERE version = 2;`);
    const positions = db.prepare<[], { seq: number }>('SELECT seq FROM participants ORDER BY seq').all();
    db.close();
    expect(Math.max(...positions.map((row) => row.seq))).toBeGreaterThan(10);

    const upgraded = createSqliteStore({ path });
    expect(await listings(upgraded)).toEqual(before);
    // Every key is now the version of the event that added that participant.
    const check = new Database(path);
    const keyed = check
      .prepare<[], { participant_id: string; data: string }>(
        `SELECT p.participant_id, e.data FROM participants p JOIN events e
           ON e.stream_key = p.stream_key AND e.version = p.seq AND e.type = 'ParticipantAdded'`,
      )
      .all();
    check.close();
    expect(keyed).toHaveLength(positions.length);
    for (const row of keyed) expect((JSON.parse(row.data) as { participant: string }).participant).toBe(row.participant_id);
    await upgraded.close();
  });

  it('upgrades a version-2 file: a call on in an endCall room is found by the expiry schedule', async () => {
    const path = join(directory.path, 'version-2.db');
    const store = createSqliteStore({ path });
    const room = await callInProgress(store);
    await store.close();
    const db = new Database(path);
    // Version 4 (SQLite only) goes first: calls to expire keyed on a column.
    downgradeTo(db, 4);
    db.exec(
      `DROP INDEX streams_calls_to_expire; ALTER TABLE streams DROP COLUMN call_expires_at; DELETE FROM schema_migrations WHERE version = 4; ${DOWNGRADE_TO_2}`,
    );
    expect(schemaVersionOf(db)).toBe(2);
    db.close();

    const upgraded = createSqliteStore({ path });
    await expectFoundAfterUpgrade(upgraded, room);
    await upgraded.close();
  });

  it('upgrades a version-4 file: the same log, rosters and listings; positions go on after the last one', async () => {
    const path = join(directory.path, 'version-4.db');
    const store = createSqliteStore({ path });
    const { listings } = await interleavedRooms(store);
    const before = await listings(store);
    const log = await wholeLog(store);
    await store.close();
    const db = new Database(path);
    downgradeTo(db, 4);
    db.close();

    const upgraded = createSqliteStore({ path });
    expect(await wholeLog(upgraded)).toEqual(log);
    expect(await listings(upgraded)).toEqual(before);
    const last = log[log.length - 1];
    const room = (await okValue(createRoomService({ store: upgraded, clock: manualClock(), ids: sequentialIds(900) }).createRoom(tenant('contoso'))))
      .stream;
    const [created] = await okValue(upgraded.readStream(room));
    expect(created?.position).toBe((last?.position ?? 0) + 1);
    await upgraded.close();
  });

  it('upgrades a version-5 file: the same log, with event subscriptions and dead letters kept beside it', async () => {
    const path = join(directory.path, 'version-5.db');
    const store = createSqliteStore({ path });
    await interleavedRooms(store);
    const log = await wholeLog(store);
    await store.close();
    const db = new Database(path);
    downgradeTo(db, 5);
    db.close();

    const upgraded = createSqliteStore({ path });
    expect(await wholeLog(upgraded)).toEqual(log);
    const subscription = {
      tenantId: tenant('contoso'),
      name: 'orders',
      endpointUrl: 'https://hooks.example.com/orders',
      includedEventTypes: null,
      eventDeliverySchema: 'EventGridSchema' as const,
      secret: null,
      createdAt: '2026-01-05T09:00:00.000Z',
      startAfter: log.length,
    };
    expect(await okValue(upgraded.eventSubscriptions.put(subscription))).toBe('created');
    expect(await okValue(upgraded.eventSubscriptions.all())).toEqual([subscription]);
    await upgraded.close();
  });

  it('upgrades a version-6 file: the same log, rooms and heads, the stream row without the version and hash it rewrote', async () => {
    const { upgraded, path } = await upgradedFrom(directory.path, 6);
    await upgraded.close();
    const check = new Database(path);
    const columns = check.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('streams')").all();
    check.close();
    expect(columns.map((column) => column.name)).not.toContain('version');
    expect(columns.map((column) => column.name)).not.toContain('last_hash');
  });

  it('upgrades a version-7 file: the same log, rooms, rosters and heads, each stream under one key; appends and rebuilds go on', async () => {
    const { upgraded, path, rooms, roomsOfB } = await upgradedFrom(directory.path, 7);
    expect(await okValue(upgraded.roomsOfParticipant(tenant('contoso'), participant('b')))).toEqual(roomsOfB);
    expect(roomsOfB).toHaveLength(rooms.length);
    const check = new Database(path);
    const strays = check
      .prepare<[], { n: number }>(
        `SELECT count(*) AS n FROM events e JOIN streams s ON s.stream_key = e.stream_key
         WHERE s.tenant_id <> e.tenant_id OR s.room_id <> e.room_id`,
      )
      .get();
    const keys = check.prepare<[], { n: number }>('SELECT count(DISTINCT stream_key) AS n FROM events').get();
    check.close();
    expect(strays?.n).toBe(0);
    expect(keys?.n).toBe(rooms.length);

    const service = createRoomService({ store: upgraded, clock: manualClock(), ids: sequentialIds(900) });
    const [first] = rooms as [StreamKey];
    await okValue(service.addParticipants(first, [{ id: participant('after-upgrade') }]));
    const created = (await okValue(service.createRoom(tenant('contoso'), { participants: [{ id: participant('b') }] }))).stream;
    const rosterAfter = await okValue(upgraded.listParticipants(first));
    const loadedAfter = await okValue(upgraded.loadStream(created));
    expect(rosterAfter.items.map((entry) => entry.participantId)).toContain(participant('after-upgrade'));
    expect([...(await okValue(upgraded.roomsOfParticipant(tenant('contoso'), participant('b'))))].sort()).toEqual(
      [...roomsOfB, created.roomId].sort(),
    );
    const everything = await wholeLog(upgraded);
    expect(await okValue(upgraded.rebuildProjections())).toEqual({ events: everything.length, rooms: rooms.length + 1 });
    await upgraded.close();

    const rebuilt = createSqliteStore({ path });
    expect(await wholeLog(rebuilt)).toEqual(everything);
    expect(await okValue(rebuilt.listParticipants(first))).toEqual(rosterAfter);
    expect(await okValue(rebuilt.loadStream(created))).toEqual(loadedAfter);
    await okValue(
      createRoomService({ store: rebuilt, clock: manualClock(), ids: sequentialIds(950) }).addParticipants(created, [{ id: participant('c') }]),
    );
    expect(await okValue(rebuilt.readStream(created))).toHaveLength((loadedAfter?.version ?? 0) + 1);
    await rebuilt.close();
  });

  it('rebuilds a room whose events span many rebuild batches to what its appends made, whatever the batch size', async () => {
    const path = join(directory.path, 'rebuild-batches.db');
    const store = createSqliteStore({ path });
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(1) });
    const host = participant('host');
    const room = (await okValue(service.createRoom(tenant('contoso'), { participants: [{ id: host, role: 'Presenter' }] }))).stream;
    // Roster changes (which leave the stream row be) between changes of the call (which write it).
    await okValue(service.addParticipants(room, [{ id: participant('a') }]));
    await okValue(service.joinCall(room, host));
    await okValue(service.addParticipants(room, [{ id: participant('b'), role: 'Consumer' }]));
    await okValue(service.leaveCall(room, host));
    await okValue(service.removeParticipants(room, [participant('a')]));
    await okValue(service.joinCall(room, participant('b')));
    await okValue(service.updateParticipants(room, [{ id: participant('b'), role: 'Attendee' }], []));
    const history = await okValue(store.readStream(room));
    const loaded = await okValue(store.loadStream(room));
    const roster = await okValue(store.listParticipants(room));
    expect(loaded).toEqual({ version: history.length, state: fold(history) });
    await store.close();

    for (const rebuildBatchSize of [1, 2, 3]) {
      const rebuilt = createSqliteStore({ path, rebuildBatchSize });
      expect(await okValue(rebuilt.rebuildProjections())).toEqual({ events: history.length, rooms: 1 });
      await rebuilt.close();
      // A fresh connection reads what the rebuild stored, not what it held.
      const reopened = createSqliteStore({ path });
      expect(await okValue(reopened.loadStream(room))).toEqual(loaded);
      expect(await okValue(reopened.listParticipants(room))).toEqual(roster);
      await reopened.close();
    }
  });

  it('writes the stream row only when the room changes beside its roster: a roster change writes the event and the roster row', async () => {
    const path = join(directory.path, 'roster-only.db');
    const store = createSqliteStore({ path });
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(1) });
    const room = (await okValue(service.createRoom(tenant('contoso'), { participants: [{ id: participant('host'), role: 'Presenter' }] }))).stream;
    const spy = new Database(path);
    spy.exec(`
      CREATE TABLE stream_writes (n INTEGER NOT NULL);
      CREATE TRIGGER count_stream_updates AFTER UPDATE ON streams BEGIN INSERT INTO stream_writes VALUES (1); END;
      CREATE TRIGGER count_stream_inserts AFTER INSERT ON streams BEGIN INSERT INTO stream_writes VALUES (1); END;`);
    const writes = () => spy.prepare<[], { n: number }>('SELECT count(*) AS n FROM stream_writes').get()?.n;

    await okValue(service.addParticipants(room, [{ id: participant('a') }]));
    await okValue(service.updateParticipants(room, [{ id: participant('a'), role: 'Consumer' }], []));
    await okValue(service.removeParticipants(room, [participant('a')]));
    expect(writes()).toBe(0);
    await okValue(service.joinCall(room, participant('host')));
    expect(writes()).toBe(1);
    await okValue(service.updateRoom(room, { pstnDialOutEnabled: true }));
    expect(writes()).toBe(2);
    spy.close();

    const history = await okValue(store.readStream(room));
    const reopened = createSqliteStore({ path });
    expect(await okValue(reopened.loadStream(room))).toEqual({ version: history.length, state: fold(history) });
    expect(await okValue(reopened.loadStream(room))).toEqual(await okValue(store.loadStream(room)));
    await reopened.close();
    await store.close();
  });

  it('refuses to open an unmigrated file when asked not to migrate', () => {
    const path = join(directory.path, 'empty.db');
    expect(() => createSqliteStore({ path, migrate: false })).toThrow(
      new RegExp(`schema version 0, this build needs ${SCHEMA_VERSION}: run the migration first`),
    );
  });

  it('puts the file in WAL mode, so that readers and a writer in other processes do not block each other', async () => {
    const path = join(directory.path, 'pragmas.db');
    const store = createSqliteStore({ path, synchronous: 'NORMAL', busyTimeoutMs: 1234 });
    await store.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('syncs every commit by default (FULL) and leaves them to the OS when asked (NORMAL)', () => {
    const path = join(directory.path, 'durability.db');
    // SQLite's numbers for the levels: FULL is 2, NORMAL is 1; the setting belongs to the connection.
    for (const [synchronous, level] of [
      [undefined, 2],
      ['FULL', 2],
      ['NORMAL', 1],
    ] as const) {
      const db = openSqliteDatabase({ path, synchronous });
      expect(db.pragma('synchronous', { simple: true })).toBe(level);
      db.close();
    }
  });

  it('sees what another connection committed to a stream this one holds the head of', async () => {
    const path = join(directory.path, 'two-connections.db');
    const first = createSqliteStore({ path });
    const second = createSqliteStore({ path });
    const room = stream('contoso', 1);
    await okValue(first.append(room, [addedEvent('a')], 'noStream'));
    expect((await okValue(first.loadStream(room)))?.version).toBe(1);
    await okValue(second.append(room, [addedEvent('b')], 1));
    // The first connection's head of the room is stale now: it must read the stored one, on load and on append.
    expect((await okValue(first.loadStream(room)))?.version).toBe(2);
    await okValue(second.append(room, [addedEvent('c')], 2));
    expect(await errValue(first.append(room, [addedEvent('d')], 2))).toMatchObject({ type: 'Concurrency' });
    expect((await okValue(first.append(room, [addedEvent('d')], 3))).version).toBe(4);
    expect((await okValue(second.loadStream(room)))?.version).toBe(4);
    await first.close();
    await second.close();
  });

  it('answers a command’s load from the head it holds, and decides again when another connection moved the room', async () => {
    const path = join(directory.path, 'stale-command.db');
    const first = createSqliteStore({ path });
    const second = createSqliteStore({ path });
    const decisions: string[] = [];
    const counting: typeof first = {
      ...first,
      loadStream(key, options) {
        decisions.push(options?.checkedByAppend === true ? 'held' : 'stored');
        return first.loadStream(key, options);
      },
    };
    const here = createRoomService({ store: counting, clock: manualClock(), ids: sequentialIds(1) });
    const there = createRoomService({ store: second, clock: manualClock(), ids: sequentialIds(1000) });
    const room = (await okValue(here.createRoom(tenant('contoso')))).stream;
    await okValue(here.addParticipants(room, [{ id: participant('a'), role: 'Attendee' }]));
    await okValue(there.addParticipants(room, [{ id: participant('b'), role: 'Presenter' }]));
    // A command's load may be the head this connection last saw; a caller's load never is.
    expect((await okValue(first.loadStream(room, { checkedByAppend: true })))?.version).toBe(2);
    expect((await okValue(first.loadStream(room)))?.version).toBe(3);

    await okValue(there.addParticipants(room, [{ id: participant('c'), role: 'Attendee' }]));
    decisions.length = 0;
    const added = await okValue(here.addParticipants(room, [{ id: participant('d'), role: 'Attendee' }]));
    // Decided on the held version 3, refused by the append's check against the stored 4, decided again on 4.
    expect(decisions).toEqual(['held', 'stored']);
    expect(added.version).toBe(5);
    const roster = await okValue(there.listParticipants(room));
    expect(roster.items.map((entry) => entry.participantId).sort()).toEqual(
      [participant('a'), participant('b'), participant('c'), participant('d')].sort(),
    );
    expect((await okValue(second.readStream(room))).map((event) => event.version)).toEqual([1, 2, 3, 4, 5]);
    await first.close();
    await second.close();
  });

  it('lets the WAL grow to 10,000 pages before a checkpoint, or as told', () => {
    const path = join(directory.path, 'checkpoints.db');
    const byDefault = openSqliteDatabase({ path });
    expect(byDefault.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_WAL_AUTOCHECKPOINT_PAGES);
    expect(DEFAULT_WAL_AUTOCHECKPOINT_PAGES).toBe(10_000);
    byDefault.close();
    const told = openSqliteDatabase({ path, walAutocheckpointPages: 500 });
    expect(told.pragma('wal_autocheckpoint', { simple: true })).toBe(500);
    told.close();
  });

  it('refuses a duplicate version even when written behind the store’s back (the UNIQUE backstop)', async () => {
    const path = join(directory.path, 'backstop.db');
    const store = createSqliteStore({ path });
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(1) });
    const room = (await okValue(service.createRoom(tenant('contoso')))).stream;
    await store.close();
    const db = new Database(path);
    const insert = () =>
      db
        .prepare(
          `INSERT INTO events (stream_key, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
           VALUES ((SELECT stream_key FROM streams WHERE tenant_id = ? AND room_id = ?), ?, ?, 1, 'X', 'RoomDeleted', 1, '{}', '{}', '', '')`,
        )
        .run(room.tenantId, room.roomId, room.tenantId, room.roomId);
    expect(insert).toThrow(/UNIQUE constraint failed: events.stream_key, events.version/);
    db.close();
  });
});
