import { createRoomService, type Role, type StreamKey } from '@usher/core';
import { randomIds, systemClock } from '@usher/core/runtime';
import { createSqliteStore, DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_WAL_AUTOCHECKPOINT_PAGES, type SqliteStoreOptions } from '@usher/store-sqlite';
import Database from 'better-sqlite3';
import { bench, describe } from 'vitest';
import { participant, tenant } from '../test/support/fixtures.js';
import { temporaryDirectory } from '../test/support/stores.js';

const ROOMS = 100;
const directory = temporaryDirectory('bench-append');
type Synchronous = NonNullable<SqliteStoreOptions['synchronous']>;

async function serviceOn(synchronous: Synchronous) {
  const store = createSqliteStore({ path: `${directory.path}/service-${synchronous}.db`, synchronous });
  const service = createRoomService({
    store,
    clock: systemClock,
    ids: randomIds(),
    limits: { maxRosterSize: 20_000, maxParticipantsPerRequest: 1_000 },
  });
  return service;
}

/** The ceiling: the same pragmas (durability, journal, checkpoints), one one-row insert per BEGIN IMMEDIATE transaction, nothing else. */
function rawOn(synchronous: Synchronous) {
  const raw = new Database(`${directory.path}/raw-${synchronous}-${Math.random().toString(36).slice(2)}.db`);
  raw.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${synchronous}`);
  raw.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT_PAGES}`);
  raw.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY AUTOINCREMENT, room INTEGER NOT NULL, body TEXT NOT NULL)');
  const insert = raw.prepare('INSERT INTO rows (room, body) VALUES (?, ?)');
  return raw.transaction((room: number, body: string) => insert.run(room, body));
}

// Per-command appends against the raw ceiling at FULL and NORMAL: bench/append-ratios.mjs, in alternating rounds.

/** One participant's role changes back and forth in a room of `size`: what one append costs as the roster grows. */
async function rosterOf(service: Awaited<ReturnType<typeof serviceOn>>, size: number) {
  const room = (await service.createRoom(tenant('roster')))._unsafeUnwrap().stream;
  for (let added = 0; added < size; added += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, size - added) }, (_, n) => ({
      id: participant(`r${size}_${added + n}`),
      role: 'Attendee' as Role,
    }));
    (await service.addParticipants(room, batch))._unsafeUnwrap();
  }
  let flips = 0;
  return async () => {
    flips += 1;
    const role: Role = flips % 2 === 0 ? 'Attendee' : 'Presenter';
    (await service.updateParticipants(room, [{ id: participant(`r${size}_0`), role }], []))._unsafeUnwrap();
  };
}

const rosterService = await serviceOn('NORMAL');
const small = await rosterOf(rosterService, 10);
const large = await rosterOf(rosterService, 10_000);

describe('one role change by roster size (SQLite, synchronous=NORMAL): the target is within 1.2×', () => {
  bench('room of 10 participants', small);
  bench('room of 10,000 participants', large);
});

/** Commands in flight at once, as an HTTP server with 50 connections has them: one per room. */
const IN_FLIGHT = 50;

async function concurrentOn(groupCommit: boolean) {
  const store = createSqliteStore({ path: `${directory.path}/concurrent-${groupCommit}.db`, synchronous: 'FULL', groupCommit });
  const service = createRoomService({ store, clock: systemClock, ids: randomIds() });
  const rooms: StreamKey[] = [];
  for (let n = 0; n < IN_FLIGHT; n += 1) rooms.push((await service.createRoom(tenant('bench')))._unsafeUnwrap().stream);
  let added = 0;
  return async () => {
    await Promise.all(
      rooms.map(async (room) => {
        added += 1;
        (await service.addParticipants(room, [{ id: participant(`c${added}`), role: 'Attendee' }]))._unsafeUnwrap();
      }),
    );
  };
}

const grouped = await concurrentOn(true);
const oneByOne = await concurrentOn(false);
const rawFull = rawOn('FULL');
let rawRows = 0;

describe(`${IN_FLIGHT} commands in flight on ${IN_FLIGHT} rooms (SQLite, synchronous=FULL): one iteration is ${IN_FLIGHT} commands`, () => {
  bench('createRoomService with group commit (the default)', grouped);
  bench('createRoomService, one transaction per append', oneByOne);
  bench(`raw ceiling: ${IN_FLIGHT} one-row inserts, one BEGIN IMMEDIATE transaction each`, () => {
    for (let n = 0; n < IN_FLIGHT; n += 1) {
      rawRows += 1;
      rawFull.immediate(rawRows % ROOMS, `{"participant":"8:acs:resource_c${rawRows}","role":"Attendee"}`);
    }
  });
});
