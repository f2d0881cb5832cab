// What several rows share: the raw SQLite ceiling, and a round of one-command-at-a-time service appends.
import Database from 'better-sqlite3';
import { DEFAULT_WAL_AUTOCHECKPOINT_PAGES } from '../packages/store-sqlite/dist/index.js';

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
    round(seconds) {
      const end = performance.now() + seconds * 1000;
      let rows = 0;
      while (performance.now() < end) {
        inserted += 1;
        rows += 1;
        insertOne.immediate(inserted % rooms, `{"participant":"8:acs:bench_${inserted}","role":"Attendee"}`);
      }
      return rows / seconds;
    },
    close: () => raw.close(),
  };
}

/** One AddParticipants per command, one at a time, on `rooms` in turn, for `seconds`: commands per second. */
export async function serviceAppendRound(service, rooms, counter, seconds) {
  const end = performance.now() + seconds * 1000;
  let commands = 0;
  while (performance.now() < end) {
    counter.next += 1;
    commands += 1;
    const added = await service.addParticipants(rooms[counter.next % rooms.length], [{ id: `8:acs:bench_${counter.next}`, role: 'Attendee' }]);
    if (added.isErr()) throw new Error(added.error.message);
  }
  return commands / seconds;
}
