import { createRoomService, type ParticipantId, type StreamKey } from '@usher/core';
import { randomIds, systemClock } from '@usher/core/runtime';
import { createSqliteStore, DEFAULT_BUSY_TIMEOUT_MS } from '@usher/store-sqlite';
import Database from 'better-sqlite3';
import { bench, describe } from 'vitest';
import { participant, tenant } from '../test/support/fixtures.js';
import { temporaryDirectory } from '../test/support/stores.js';

const ROOMS = 100;
const directory = temporaryDirectory('bench-append');

const store = createSqliteStore({ path: `${directory.path}/service.db` });
const service = createRoomService({ store, clock: systemClock, ids: randomIds() });
const rooms: StreamKey[] = [];
for (let n = 0; n < ROOMS; n += 1) rooms.push((await service.createRoom(tenant('bench')))._unsafeUnwrap().stream);

/** The ceiling: the same pragmas, one one-row insert per BEGIN IMMEDIATE transaction, nothing else. */
const raw = new Database(`${directory.path}/raw.db`);
raw.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = FULL');
raw.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY AUTOINCREMENT, room INTEGER NOT NULL, body TEXT NOT NULL)');
const insert = raw.prepare('INSERT INTO rows (room, body) VALUES (?, ?)');
const insertOne = raw.transaction((room: number, body: string) => insert.run(room, body));

let commands = 0;
let rows = 0;

describe('appends per second on SQLite (synchronous=FULL, WAL)', () => {
  bench('createRoomService: one AddParticipants per command on existing rooms', async () => {
    commands += 1;
    const who: ParticipantId = participant(`p${commands}`);
    (await service.addParticipants(rooms[commands % ROOMS] as StreamKey, [{ id: who, role: 'Attendee' }]))._unsafeUnwrap();
  });
  bench('raw better-sqlite3: one one-row insert per BEGIN IMMEDIATE transaction', () => {
    rows += 1;
    insertOne.immediate(rows % ROOMS, `{"participant":"8:acs:resource_p${rows}","role":"Attendee"}`);
  });
});
