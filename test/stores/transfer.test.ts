import { createRoomService, type EventStore, type NewEvent, type StoredEvent, type StreamKey, verifyStream } from '@usher/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, manualClock, participant, sequentialIds, tenant } from '../support/fixtures.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { sqliteFactory } from '../support/stores.js';
import { wholeLog } from './contract.js';

/** Copies a whole log, stream batch by stream batch in log order, re-chaining in the target: the hashes must come out the same. */
async function copyLog(from: EventStore, to: EventStore): Promise<void> {
  const log = await wholeLog(from);
  for (let start = 0; start < log.length; ) {
    const first = log[start] as StoredEvent;
    let end = start + 1;
    while (end < log.length && log[end]?.tenantId === first.tenantId && log[end]?.roomId === first.roomId) end += 1;
    const batch = log
      .slice(start, end)
      .map(({ eventId, type, data, schemaVersion, meta }) => ({ eventId, type, data, schemaVersion, meta }) as NewEvent);
    const stream = { tenantId: first.tenantId, roomId: first.roomId } as StreamKey;
    (await to.append(stream, batch, first.version - 1))._unsafeUnwrap();
    start = end;
  }
}

async function seed(store: EventStore): Promise<StreamKey[]> {
  const clock = manualClock();
  const service = createRoomService({ store, clock, ids: sequentialIds(3) });
  const streams: StreamKey[] = [];
  for (let n = 0; n < 5; n += 1) {
    const room = (
      await service.createRoom(tenant(`t${n % 2}`), {
        validUntil: new Date(clock.now().getTime() + DAY),
        participants: [{ id: participant(n), role: 'Presenter' }],
      })
    )._unsafeUnwrap().stream;
    streams.push(room);
    (
      await service.addParticipants(room, [{ id: participant(`a${n}`) }, { id: participant(`b${n}`), role: 'Consumer' }], { requestId: `r${n}` })
    )._unsafeUnwrap();
    (await service.joinCall(room, participant(n)))._unsafeUnwrap();
    (await service.startScreenShare(room, participant(n)))._unsafeUnwrap();
    clock.advance(HOUR);
    (await service.addParticipants(room, [{ id: participant(n), role: 'Attendee' }]))._unsafeUnwrap();
    if (n % 2 === 0) (await service.deleteRoom(room))._unsafeUnwrap();
  }
  return streams;
}

const url = postgresUrl();

describe.skipIf(url === null)('moving a log between SQLite and PostgreSQL', () => {
  const sqlite = sqliteFactory();
  const postgres = postgresFactory(url ?? '');
  afterAll(async () => {
    await sqlite.dispose();
    await postgres.dispose();
  });

  it('keeps every event and every hash, both ways, and the projections follow', async () => {
    const source = await sqlite.open();
    const streams = await seed(source);
    const middle = await postgres.open();
    await copyLog(source, middle);
    const back = await sqlite.open();
    await copyLog(middle, back);
    const strip = (events: StoredEvent[]) => events.map(({ position: _position, ...event }) => event);
    for (const stream of streams) {
      const original = (await source.readStream(stream))._unsafeUnwrap();
      expect(verifyStream(original).isOk()).toBe(true);
      for (const copy of [middle, back]) {
        expect(strip((await copy.readStream(stream))._unsafeUnwrap())).toEqual(strip(original));
        expect((await copy.loadRoom(stream))._unsafeUnwrap()).toEqual((await source.loadRoom(stream))._unsafeUnwrap());
        expect((await copy.getRoom(stream))._unsafeUnwrap()).toEqual((await source.getRoom(stream))._unsafeUnwrap());
      }
    }
    expect((await wholeLog(middle)).map((event) => event.hash)).toEqual((await wholeLog(source)).map((event) => event.hash));
  });
});
