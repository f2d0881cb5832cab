import {
  can,
  createRoomService,
  DEFAULT_LIMITS,
  fold,
  type Limits,
  type ParticipantId,
  type RoomState,
  type StreamKey,
  type TenantId,
  verifyStream,
} from '@usher/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { commandFor, ROOMS, timedCommands } from '../support/arbitraries.js';
import { assertProperty } from '../support/fast-check.js';
import { manualClock, sequentialIds, tenant } from '../support/fixtures.js';
import { okValue } from '../support/results.js';
import { storeFactories } from '../support/stores.js';

const limits: Limits = { ...DEFAULT_LIMITS, maxRosterSize: 4, maxParticipantsPerRequest: 3, maxCallSize: 2 };

function checkCallInvariants(state: RoomState, stream: StreamKey): void {
  if (state.status !== 'active') {
    if (state.status === 'deleted') expect(state.room.call, `deleted room ${stream.roomId} has no call`).toBeNull();
    return;
  }
  const { roster, call } = state.room;
  if (call === null) return;
  const members = Object.entries(call.participants);
  expect(members.length, 'a running call has participants').toBeGreaterThan(0);
  expect(members.length).toBeLessThanOrEqual(limits.maxCallSize);
  for (const [id, member] of members) {
    expect(roster.has(id as ParticipantId), `${id} is in the call but not on the roster`).toBe(true);
    expect(member.role, `${id} holds the roster's role in the call`).toBe(roster.get(id as ParticipantId));
    if (!member.muted) expect(can(member.role, 'unmuteMic'), `${id} is unmuted as ${member.role}`).toBe(true);
  }
  if (call.screenSharer !== null) {
    const sharer = call.participants[call.screenSharer];
    expect(sharer, 'the screen sharer is in the call').toBeDefined();
    expect(can(sharer?.role ?? 'Consumer', 'shareScreen'), `screen sharer role ${sharer?.role}`).toBe(true);
  }
}

for (const factory of storeFactories()) {
  describe(`domain invariants over random command histories (${factory.name} store)`, () => {
    afterAll(() => factory.dispose());
    const store = factory.open();
    let runs = 0;
    const seen = new Map<string, number>();
    const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);

    it('hold after every command, with a random advancing clock', async () => {
      const opened = await store;
      let logHead = 0;
      const tail = async (): Promise<number> => {
        for (;;) {
          const events = await okValue(opened.readAll({ afterPosition: logHead, limit: 1000 }));
          if (events.length === 0) return logHead;
          logHead = events[events.length - 1]?.position ?? logHead;
        }
      };
      await assertProperty(
        fc.asyncProperty(timedCommands, async (steps) => {
          runs += 1;
          const tenantId: TenantId = tenant(`run-${runs}`);
          const clock = manualClock();
          const service = createRoomService({ store: opened, clock, ids: sequentialIds(runs), limits });
          for (const step of steps) {
            if (step.kind === 'advance') {
              clock.advance(step.ms);
              continue;
            }
            const stream = { tenantId, roomId: ROOMS[step.room] ?? ROOMS[0] } as StreamKey;
            const before = await opened.loadRoom(stream);
            const beforeState = before._unsafeUnwrap()?.state ?? { status: 'absent' as const };
            if (step.kind === 'toEdge') {
              if (beforeState.status === 'absent') continue;
              const target = Date.parse(beforeState.room[step.edge]) + step.delta;
              if (target >= clock.now().getTime()) clock.set(new Date(target));
              continue;
            }
            const logBefore = await tail();
            const command = commandFor(step, clock.now());
            const result = await service.execute(stream, command);
            const after = await okValue(opened.loadRoom(stream));
            const history = await okValue(opened.readStream(stream));

            count(result.isErr() ? result.error.type : result.value.events.length === 0 ? `${command.type}:noop` : `${command.type}:ok`);
            // A rejected command appends nothing.
            if (result.isErr()) {
              expect(await tail()).toBe(logBefore);
              expect(after?.version ?? 0).toBe(before._unsafeUnwrap()?.version ?? 0);
            }
            // A deleted room accepts nothing.
            if (beforeState.status === 'deleted') {
              if (command.type === 'DeleteRoom') expect(result._unsafeUnwrap().events).toEqual([]);
              else expect(result.isErr(), `${command.type} on a deleted room`).toBe(true);
            }
            // No join happens outside the window.
            if (result.isOk() && result.value.events.some((event) => event.type === 'ParticipantJoinedCall')) {
              if (beforeState.status !== 'active') throw new Error('a join on a room that is not active');
              // Checked here from the timestamps themselves, not through the core's own checkOpen.
              const now = clock.now().getTime();
              const inWindow = Date.parse(beforeState.room.validFrom) <= now && now < Date.parse(beforeState.room.validUntil);
              expect(inWindow, `join at ${clock.now().toISOString()} in [${beforeState.room.validFrom}, ${beforeState.room.validUntil})`).toBe(true);
            }
            // Versions are 1..n without gaps, and the chain verifies.
            expect(history.map((event) => event.version)).toEqual(history.map((_, index) => index + 1));
            expect(verifyStream(history).isOk()).toBe(true);
            // Replaying the room's events gives exactly the state built incrementally.
            const replayed = fold(history);
            expect(after?.state ?? { status: 'absent' }).toEqual(replayed);
            if (result.isOk()) expect(result.value.state).toEqual(replayed);
            checkCallInvariants(replayed, stream);
          }
        }),
      );
      // The generators must reach the rules they are meant to test, or the property proves little.
      const outcomes = [
        'JoinCall:ok',
        'RoomNotOpenYet',
        'RoomClosed',
        'NotInvited',
        'CallFull',
        'StartScreenShare:ok',
        'RemoveParticipants:ok',
        'DeleteRoom:ok',
      ];
      for (const outcome of outcomes) {
        expect(seen.get(outcome) ?? 0, `outcome ${outcome} was generated`).toBeGreaterThan(0);
      }
    });
  });
}
