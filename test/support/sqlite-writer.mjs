// One OS process of the multi-process SQLite test: appends through the room service to rooms that
// other processes write to at the same time, and reports every event id the store acknowledged.
import { createRoomService } from '@usher/core';
import { randomIds, systemClock } from '@usher/core/runtime';
import { createSqliteStore } from '@usher/store-sqlite';

const [path, tenantId, worker, commandCount, startAt, ...roomIds] = process.argv.slice(2);
const store = createSqliteStore({ path, busyTimeoutMs: 30_000 });
const service = createRoomService({ store, clock: systemClock, ids: randomIds(), maxRetries: 1000 });
const acknowledged = [];
const refused = {};

// Every process starts its writes at the same instant, whatever its start-up took.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const started = Date.now();

for (let n = 0; n < Number(commandCount); n += 1) {
  const roomId = roomIds[n % roomIds.length];
  const who = `8:acs:resource_w${worker}_${n % 7}`;
  const stream = { tenantId, roomId };
  const result =
    n % 3 === 2
      ? await service.removeParticipants(stream, [who], { actor: `worker-${worker}`, requestId: `w${worker}-${n}` })
      : await service.addParticipants(stream, [{ id: who, role: n % 2 === 0 ? 'Presenter' : 'Attendee' }], {
          actor: `worker-${worker}`,
          requestId: `w${worker}-${n}`,
        });
  if (result.isOk()) acknowledged.push(...result.value.events.map((event) => event.eventId));
  else refused[result.error.type] = (refused[result.error.type] ?? 0) + 1;
}
const finished = Date.now();
await store.close();
process.stdout.write(JSON.stringify({ worker, acknowledged, refused, started, finished }));
