// What several rows share: the raw SQLite ceiling, the floor of Usher's own writes, and a round of
// one-command-at-a-time service appends.
import Database from 'better-sqlite3';
import {
  createWalSync,
  createWalWriter,
  DEFAULT_WAL_AUTOCHECKPOINT_PAGES,
  DEFAULT_WAL_WRITER_DELAY_MS,
  openSqliteDatabase,
} from '../packages/store-sqlite/dist/index.js';
import { INSERT_EVENT } from '../packages/store-sqlite/dist/sql/append.js';
import { UPSERT_PARTICIPANT } from '../packages/store-sqlite/dist/sql/project.js';

/** What took longer than a millisecond is a stall: SQLite's checkpoints run inside the commit that crosses wal_autocheckpoint. */
export const STALL_MS = 1;

/**
 * Where a round's time went, by operation: how many it did, and how many of them, and how much of its
 * time in µs, took longer than STALL_MS. Kept only when a round is given one, as timing every operation
 * costs two clock reads.
 */
export function stallCounter() {
  return { operations: 0, stalls: 0, stalledMicros: 0 };
}

function timed(stalls, started) {
  const took = performance.now() - started;
  stalls.operations += 1;
  if (took > STALL_MS) {
    stalls.stalls += 1;
    stalls.stalledMicros += took * 1000;
  }
}

/**
 * The raw SQLite ceiling: one one-row insert per BEGIN IMMEDIATE transaction in a file of its own, with
 * the pragmas of Usher's store (WAL, the given durability, the same checkpoint interval).
 * `round(seconds)` inserts for that long and answers rows per second.
 */
export function rawInsertCeiling(path, synchronous, rooms = 100) {
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${synchronous}`);
  raw.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT_PAGES}`);
  raw.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY AUTOINCREMENT, room INTEGER NOT NULL, body TEXT NOT NULL)');
  const insert = raw.prepare('INSERT INTO rows (room, body) VALUES (?, ?)');
  const insertOne = raw.transaction((room, body) => insert.run(room, body));
  let inserted = 0;
  return {
    round(seconds, stalls = null) {
      const end = performance.now() + seconds * 1000;
      let rows = 0;
      while (performance.now() < end) {
        inserted += 1;
        rows += 1;
        const started = stalls === null ? 0 : performance.now();
        insertOne.immediate(inserted % rooms, `{"participant":"8:acs:bench_${inserted}","role":"Attendee"}`);
        if (stalls !== null) timed(stalls, started);
      }
      return rows / seconds;
    },
    close: () => raw.close(),
  };
}

/** One AddParticipants per command, one at a time, on `rooms` in turn, for `seconds`: commands per second. */
export async function serviceAppendRound(service, rooms, counter, seconds, stalls = null) {
  const end = performance.now() + seconds * 1000;
  let commands = 0;
  while (performance.now() < end) {
    counter.next += 1;
    commands += 1;
    const started = stalls === null ? 0 : performance.now();
    const added = await service.addParticipants(rooms[counter.next % rooms.length], [{ id: `8:acs:bench_${counter.next}`, role: 'Attendee' }]);
    if (stalls !== null) timed(stalls, started);
    if (added.isErr()) throw new Error(added.error.message);
  }
  return commands / seconds;
}

/**
 * The floor of Usher's own writes: what an AddParticipants append writes (the event row and the roster
 * row; the stream row is left be when only the roster changes), as Usher's own statements on a file of
 * Usher's schema and pragmas, seeded with the stream rows and an event row of a real store (`seedPath`),
 * but with no Usher code around them: no decision, no hashing, no projection, no promises. At NORMAL it
 * has the store's WAL writer, as the store does: without it the floor would pay for the checkpoints'
 * syncs of the log that Usher no longer waits for. `round(seconds)` answers appends per second.
 */
export function writeSetCeiling(path, synchronous, seedPath) {
  const seed = new Database(seedPath, { readonly: true });
  const streams = seed.prepare('SELECT * FROM streams').all();
  const event = seed.prepare('SELECT * FROM events ORDER BY position DESC LIMIT 1').get();
  seed.close();
  const db = openSqliteDatabase({ path, synchronous });
  const walWriter = synchronous === 'NORMAL' ? createWalWriter(createWalSync(`${path}-wal`), DEFAULT_WAL_WRITER_DELAY_MS) : null;
  const columns = Object.keys(streams[0]);
  const seedStream = db.prepare(`INSERT INTO streams (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`);
  for (const row of streams) seedStream.run(row);
  const insertEvent = db.prepare(INSERT_EVENT.text);
  const upsertParticipant = db.prepare(UPSERT_PARTICIPANT.text);
  const heads = streams.map((row) => ({ ...row, version: 0, last_hash: event.hash }));
  let appended = 0;
  const appendOne = db.transaction((head) => {
    appended += 1;
    head.version += 1;
    insertEvent.run(
      head.stream_key,
      head.tenant_id,
      head.room_id,
      head.version,
      `${event.event_id.slice(0, 16)}${String(appended).padStart(10, '0')}`,
      event.type,
      event.schema_version,
      event.data.replace(/bench_\d+/, `floor_${appended}`),
      event.meta,
      head.last_hash,
      event.hash,
    );
    upsertParticipant.run(head.stream_key, head.version, `8:acs:floor_${appended}`, 'Attendee');
  });
  return {
    async round(seconds, stalls = null) {
      const end = performance.now() + seconds * 1000;
      let appends = 0;
      let turned = performance.now();
      while (performance.now() < end) {
        const started = stalls === null ? 0 : performance.now();
        appendOne.immediate(heads[(appended + 1) % heads.length]);
        walWriter?.written();
        if (stalls !== null) timed(stalls, started);
        appends += 1;
        // The WAL writer's syncs end, and its timers fire, only when the event loop turns.
        if (walWriter !== null && performance.now() - turned > 1) {
          await new Promise((resolve) => setImmediate(resolve));
          turned = performance.now();
        }
      }
      return appends / seconds;
    },
    close: async () => {
      await walWriter?.close();
      db.close();
    },
  };
}
