// Writes a large event log into a SQLite file, for measuring `usher audit verify` and `usher rebuild`:
//   node bench/make-log.mjs <file.db> <events> [rooms]
// Rooms are created, then get participants added and removed in turns, 100 events per append.
import { createSqliteStore } from '@usher/store-sqlite';
import { writeEventLog } from './event-log.mjs';

const [path, eventsArgument = '1000000', roomsArgument = '2000'] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: node bench/make-log.mjs <file.db> <events> [rooms]');
const total = Number(eventsArgument);
const rooms = Number(roomsArgument);
const store = createSqliteStore({ path, synchronous: 'NORMAL' });
const started = performance.now();
const written = await writeEventLog(store, total, rooms);
await store.close();
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ path, events: written, rooms, seconds, eventsPerSecond: Math.round(written / seconds) }));
