// The log bench/make-log.mjs writes and bench/rebuild.mjs rebuilds: rooms created, then participants
// added and removed in turns, 100 events per append, every event with its own request id.
import { monotonicFactory } from 'ulid';

/** Appends `total` events over `rooms` rooms to `store`; answers how many were written. */
export async function writeEventLog(store, total, rooms) {
  const perRoom = Math.ceil(total / rooms);
  const ulid = monotonicFactory();
  const at = new Date('2026-01-01T00:00:00Z');
  const meta = (n) => ({ at: new Date(at.getTime() + n * 1000).toISOString(), actor: 'bench', requestId: `bench-${n}` });
  let written = 0;
  for (let room = 0; room < rooms && written < total; room += 1) {
    const stream = { tenantId: 'bench', roomId: `99${String(room).padStart(15, '0')}` };
    let version = 0;
    while (version < perRoom && written < total) {
      const batch = [];
      while (batch.length < 100 && version + batch.length < perRoom && written + batch.length < total) {
        const n = version + batch.length;
        batch.push({ ...eventAt(n, stream.roomId, at), eventId: ulid(), schemaVersion: 1, meta: meta(n) });
      }
      const appended = await store.append(stream, batch, version === 0 ? 'noStream' : version);
      if (appended.isErr()) throw new Error(appended.error.message);
      version = appended.value.version;
      written += batch.length;
    }
  }
  return written;
}

/** The room's nth event (from 0): its creation, then a participant added, then that one removed, and so on. */
function eventAt(n, roomId, at) {
  if (n === 0) {
    return {
      type: 'RoomCreated',
      data: {
        roomId,
        createdAt: at.toISOString(),
        validFrom: at.toISOString(),
        validUntil: new Date(at.getTime() + 86_400_000).toISOString(),
        pstnDialOutEnabled: false,
        expiryPolicy: 'blockJoins',
      },
    };
  }
  return n % 2 === 1
    ? { type: 'ParticipantAdded', data: { participant: `8:acs:bench_${Math.floor(n / 2)}`, role: 'Attendee' } }
    : { type: 'ParticipantRemoved', data: { participant: `8:acs:bench_${Math.floor((n - 1) / 2)}` } };
}
