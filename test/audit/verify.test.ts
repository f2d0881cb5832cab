import { join } from 'node:path';
import { createRoomService, type StreamKey, verify, verifyRoomChain } from '@usher/core';
import { createMemoryStore } from '@usher/store-memory';
import { createSqliteStore } from '@usher/store-sqlite';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { commandFor, ROOMS, type TimedCommand, timedCommands } from '../support/arbitraries.js';
import { assertProperty, numRuns } from '../support/fast-check.js';
import { manualClock, participant, sequentialIds, tenant } from '../support/fixtures.js';
import { errValue, okValue } from '../support/results.js';
import { temporaryDirectory } from '../support/stores.js';

describe('verify', () => {
  const directory = temporaryDirectory('verify');
  afterAll(() => directory.remove());
  let files = 0;

  /** A SQLite file holding the log of a random command history. */
  async function logFile(steps: readonly TimedCommand[]): Promise<string> {
    files += 1;
    const path = join(directory.path, `log-${files}.db`);
    const store = createSqliteStore({ path, synchronous: 'NORMAL' });
    const clock = manualClock();
    const service = createRoomService({ store, clock, ids: sequentialIds(files) });
    for (const step of steps) {
      if (step.kind === 'advance') clock.advance(step.ms);
      if (step.kind !== 'command') continue;
      await service.execute({ tenantId: tenant('audit'), roomId: ROOMS[step.room] } as StreamKey, commandFor(step, clock.now()), {
        requestId: `r${files}`,
      });
    }
    await store.close();
    return path;
  }

  it('passes an untouched log, and names the event whose type, data or metadata had one byte changed in the SQLite file', async () => {
    await assertProperty(
      fc.asyncProperty(
        timedCommands,
        fc.nat(),
        fc.constantFrom('type', 'data', 'meta'),
        fc.nat(),
        fc.integer({ min: 33, max: 126 }),
        async (steps, pick, column, offset, replacement) => {
          const path = await logFile(steps);
          const untouched = createSqliteStore({ path });
          const report = await verify(untouched);
          await untouched.close();
          expect(report.isOk(), JSON.stringify(report)).toBe(true);
          const events = report._unsafeUnwrap().events;
          if (events === 0) return;

          const db = new Database(path);
          const position = (pick % events) + 1;
          const row = db
            .prepare<[number], { text: string; tenant_id: string; room_id: string; version: number; event_id: string }>(
              `SELECT ${column} AS text, tenant_id, room_id, version, event_id FROM events WHERE position = ?`,
            )
            .get(position);
          if (row === undefined) throw new Error('no such event');
          const at = offset % row.text.length;
          const changed = String.fromCharCode(replacement === row.text.charCodeAt(at) ? (replacement === 126 ? 33 : replacement + 1) : replacement);
          db.prepare(`UPDATE events SET ${column} = ? WHERE position = ?`).run(row.text.slice(0, at) + changed + row.text.slice(at + 1), position);
          db.close();

          const tampered = createSqliteStore({ path });
          const failure = await errValue(verify(tampered));
          await tampered.close();
          expect(failure).toMatchObject({
            type: 'ChainBroken',
            tenantId: row.tenant_id,
            roomId: row.room_id,
            version: row.version,
            eventId: row.event_id,
          });
        },
      ),
      numRuns(),
    );
  });

  it('counts rooms apart from identities, and stops with Aborted once its signal is aborted', async () => {
    // Given a log of two rooms and one identity, in pages of one event
    const store = createMemoryStore();
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(8) });
    await okValue(service.createRoom(tenant('audit')));
    await okValue(service.createRoom(tenant('audit')));
    await okValue(service.createIdentity(tenant('audit')));

    // When it is verified whole, and again with a signal aborted after the first page
    const report = await okValue(verify(store, { pageSize: 1 }));
    const signal = { aborted: false };
    const stopped = await errValue(
      verify(store, {
        pageSize: 1,
        signal,
        onProgress: () => {
          signal.aborted = true;
        },
      }),
    );

    // Then the report tells rooms from identities, and the second run stops after one event
    expect(report).toEqual({ events: 3, streams: 3, rooms: 2 });
    expect(stopped).toEqual({ type: 'Aborted', message: 'Verification was abandoned after 1 events.' });
  });

  it('checks one room’s chain a chunk at a time: its head when whole, its first broken event when not', async () => {
    // Given a room of five events
    const store = createMemoryStore();
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(10) });
    const room = (
      await okValue(service.createRoom(tenant('audit'), { participants: ['a', 'b', 'c', 'd'].map((user) => ({ id: participant(user) })) }))
    ).stream;
    const events = await okValue(store.readStream(room));
    expect(events).toHaveLength(5);

    // When its chain is checked in chunks of two, as stored and with its fourth event's hash changed
    const whole = await okValue(verifyRoomChain(store, room, { chunk: 2 }));
    const changed = {
      ...store,
      readStream: (stream: StreamKey, range?: { fromVersion?: number; toVersion?: number }) =>
        store.readStream(stream, range).map((read) => read.map((event) => (event.version === 4 ? { ...event, hash: '0'.repeat(64) } : event))),
    };
    const broken = await errValue(verifyRoomChain(changed, room, { chunk: 2 }));

    // Then the whole chain ends at version 5 with the last event's hash, and the changed one breaks at version 4
    expect(whole).toEqual({ version: 5, hash: events[4]?.hash });
    expect(broken).toMatchObject({ type: 'ChainBroken', reason: 'hashMismatch', version: 4 });
  });

  it('names a projection that no longer matches its events, and a hole in the log', async () => {
    const path = join(directory.path, 'projection.db');
    const store = createSqliteStore({ path });
    const service = createRoomService({ store, clock: manualClock(), ids: sequentialIds(9) });
    const room = (await okValue(service.createRoom(tenant('audit')))).stream;
    await okValue(service.createRoom(tenant('audit')));
    await store.close();
    const db = new Database(path);
    db.prepare("UPDATE streams SET state = json_set(state, '$.room.pstnDialOutEnabled', json('true')) WHERE room_id = ?").run(room.roomId);
    db.close();
    const altered = createSqliteStore({ path });
    expect(await errValue(verify(altered))).toMatchObject({ type: 'ProjectionMismatch', roomId: room.roomId, version: 1 });
    await altered.close();

    const holed = new Database(path);
    holed.prepare('DELETE FROM events WHERE position = 1').run();
    holed.close();
    const gap = createSqliteStore({ path });
    expect(await errValue(verify(gap))).toMatchObject({ type: 'PositionGap', afterPosition: 0, position: 2 });
    await gap.close();
  });
});
