// Writes a large event log into a SQLite file, for measuring `usher audit verify` and `usher rebuild`:
//   node bench/make-log.mjs <file.db> <events> [rooms]
// Rooms are created, then get participants added and removed in turns, 100 events per append.
import { createSqliteStore } from '@usher/store-sqlite';
import { monotonicFactory } from 'ulid';

const [path, eventsArgument = '1000000', roomsArgument = '2000'] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: node bench/make-log.mjs <file.db> <events> [rooms]');
const total = Number(eventsArgument);
const rooms = Number(roomsArgument);
const perRoom = Math.ceil(total / rooms);
const store = createSqliteStore({ path, synchronous: 'NORMAL' });
const ulid = monotonicFactory();
const at = new Date('2026-01-01T00:00:00Z');
const meta = (n) => ({ at: new Date(at.getTime() + n * 1000).toISOString(), actor: 'bench', requestId: `bench-${n}` });
let written = 0;
const started = performance.now();
for (let room = 0; room < rooms && written < total; room += 1) {
  const stream = { tenantId: 'bench', roomId: `99${String(room).padStart(15, '0')}` };
  let version = 0;
  while (version < perRoom && written < total) {
    const batch = [];
    while (batch.length < 100 && version + batch.length < perRoom && written + batch.length < total) {
      const n = version + batch.length;
      const participant = `8:acs:bench_${Math.floor(n / 2)}`;
      const event =
        n === 0
          ? {
              type: 'RoomCreated',
              data: {
                roomId: stream.roomId,
                createdAt: at.toISOString(),
                validFrom: at.toISOString(),
                validUntil: new Date(at.getTime() + 86_400_000).toISOString(),
                pstnDialOutEnabled: false,
                expiryPolicy: 'blockJoins',
              },
            }
          : n % 2 === 1
            ? { type: 'ParticipantAdded', data: { participant, role: 'Attendee' } }
            : { type: 'ParticipantRemoved', data: { participant: `8:acs:bench_${Math.floor((n - 1) / 2)}` } };
      batch.push({ ...event, eventId: ulid(), schemaVersion: 1, meta: meta(n) });
    }
    const appended = await store.append(stream, batch, version === 0 ? 'noStream' : version);
    if (appended.isErr()) throw new Error(appended.error.message);
    version = appended.value.version;
    written += batch.length;
  }
}
await store.close();
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ path, events: written, rooms, seconds, eventsPerSecond: Math.round(written / seconds) }));
