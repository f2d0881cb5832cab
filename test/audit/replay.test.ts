import { createRoomService, evolve, history, type RoomState, roomAt, type StreamKey } from '@usher/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { commandFor, ROOMS, timedCommands } from '../support/arbitraries.js';
import { assertProperty, numRuns } from '../support/fast-check.js';
import { manualClock, sequentialIds, tenant } from '../support/fixtures.js';
import { okValue } from '../support/results.js';
import { sqliteFactory } from '../support/stores.js';

describe('roomAt and history', () => {
  const factory = sqliteFactory({ synchronous: 'NORMAL' });
  afterAll(() => factory.dispose());

  it('roomAt at every event’s instant equals the state built incrementally up to the last event of that instant', async () => {
    const store = await factory.open();
    let run = 0;
    await assertProperty(
      fc.asyncProperty(timedCommands, async (steps) => {
        run += 1;
        const tenantId = tenant(`replay-${run}`);
        const clock = manualClock();
        const service = createRoomService({ store, clock, ids: sequentialIds(run) });
        for (const step of steps) {
          if (step.kind === 'advance') clock.advance(step.ms);
          if (step.kind === 'command') await service.execute({ tenantId, roomId: ROOMS[step.room] } as StreamKey, commandFor(step, clock.now()));
        }
        for (const roomId of ROOMS) {
          const stream = { tenantId, roomId } as StreamKey;
          const events = await okValue(store.readStream(stream));
          let state: RoomState = { status: 'absent' };
          for (const [index, event] of events.entries()) {
            state = evolve(state, event);
            const next = events[index + 1];
            // Events of one command share their instant: the state at that instant is after the last of them.
            if (next !== undefined && next.meta.at === event.meta.at) continue;
            const at = await okValue(roomAt(store, stream, new Date(event.meta.at), { chunk: 7 }));
            expect(at).toEqual({ state, version: event.version });
          }
          const before = events[0] === undefined ? undefined : new Date(Date.parse(events[0].meta.at) - 1);
          if (before !== undefined) expect(await okValue(roomAt(store, stream, before))).toEqual({ state: { status: 'absent' }, version: 0 });
          const timeline = await okValue(history(store, stream));
          expect(timeline.map((entry) => [entry.version, entry.type, entry.at, entry.eventId])).toEqual(
            events.map((event) => [event.version, event.type, event.meta.at, event.eventId]),
          );
          expect(timeline.every((entry) => entry.description.length > 0)).toBe(true);
        }
      }),
      numRuns(),
    );
  });
});
