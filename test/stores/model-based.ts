import {
  createRoomService,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type RoomService,
  type StreamKey,
  type TenantId,
} from '@usher/core';
import { createMemoryStore } from '@usher/store-memory';
import fc from 'fast-check';
import type { ResultAsync } from 'neverthrow';
import { expect } from 'vitest';
import { commandFor, openingCreate, ROOMS, timedCommand } from '../support/arbitraries.js';
import { assertProperty, numRuns } from '../support/fast-check.js';
import { manualClock, participant, sequentialIds, T0, tenant } from '../support/fixtures.js';
import type { StoreFactory } from '../support/stores.js';
import { allParticipants, allRooms } from './contract.js';

interface System {
  readonly store: EventStore;
  readonly service: RoomService;
  readonly clock: ReturnType<typeof manualClock>;
  /** Every request id used so far, so that lookups ask about all of them. */
  readonly requestIds: Set<string>;
}

const TENANTS = [tenant('contoso'), tenant('fabrikam')];
const tenantAt = (index: number): TenantId => TENANTS[index] as TenantId;
const streamOf = (tenantIndex: number, room: number): StreamKey =>
  ({ tenantId: TENANTS[tenantIndex] ?? TENANTS[0], roomId: ROOMS[room] ?? ROOMS[0] }) as StreamKey;

/** What an operation answered, in a form two stores must agree on exactly. */
async function outcome<T, E>(result: ResultAsync<T, E>): Promise<{ ok: T } | { err: E }> {
  const settled = await result;
  return settled.isOk() ? { ok: settled.value } : { err: settled.error };
}

/** One step, done to the model (the memory store) and to the store under test, which must answer alike. */
class Step implements fc.AsyncCommand<System, System> {
  constructor(
    readonly label: string,
    readonly act: (system: System) => Promise<unknown>,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: System, real: System): Promise<void> {
    const expected = await this.act(model);
    const actual = await this.act(real);
    expect(actual, this.label).toEqual(expected);
  }
  toString(): string {
    return this.label;
  }
}

let rawEventSeed = 0;
const rawIds = sequentialIds(777);

const tenantIndex = fc.integer({ min: 0, max: TENANTS.length - 1 });
const roomIndex = fc.integer({ min: 0, max: ROOMS.length - 1 });
const expectedVersion: fc.Arbitrary<ExpectedVersion> = fc.oneof(
  fc.constantFrom<ExpectedVersion>('any', 'noStream', 'exists'),
  fc.integer({ min: 0, max: 12 }),
);

const serviceStep = fc
  .tuple(tenantIndex, fc.oneof({ weight: 4, arbitrary: timedCommand }, { weight: 1, arbitrary: roomIndex.chain(openingCreate) }))
  .map(([t, step]) => {
    if (step.kind === 'advance') return new Step(`advance ${step.ms}`, async (system) => system.clock.advance(step.ms));
    if (step.kind === 'toEdge') return new Step(`advance 1ms`, async (system) => system.clock.advance(1));
    const requestId = `${step.label}-${t}`;
    return new Step(`${step.label} on ${t}/${step.room}`, (system) => {
      system.requestIds.add(requestId);
      return outcome(system.service.execute(streamOf(t, step.room), commandFor(step, system.clock.now()), { requestId }));
    });
  });

const steps: fc.Arbitrary<fc.AsyncCommand<System, System>>[] = [
  serviceStep,
  serviceStep,
  serviceStep,
  serviceStep,
  fc
    .record({
      t: tenantIndex,
      room: roomIndex,
      expected: expectedVersion,
      size: fc.integer({ min: 1, max: 3 }),
      repeat: fc.boolean(),
      elsewhere: fc.boolean(),
    })
    .map(({ t, room, expected, size, repeat, elsewhere }) => {
      rawEventSeed += 1;
      const batchNumber = rawEventSeed;
      const batch: NewEvent[] = Array.from({ length: size }, (_, index) => ({
        type: 'ParticipantAdded',
        data: { participant: participant(`raw${batchNumber}_${index}`), role: 'Consumer' },
        eventId: rawIds.eventId(),
        schemaVersion: 1,
        meta: { at: T0.toISOString(), actor: 'raw', requestId: `raw-${batchNumber}` },
      }));
      return new Step(`append ${size} to ${t}/${room} expecting ${expected}${repeat ? ' twice' : ''}`, async (system) => {
        system.requestIds.add(`raw-${batchNumber}`);
        const first = await outcome(system.store.append(streamOf(t, room), batch, expected));
        if (!repeat) return [first];
        const target = elsewhere ? streamOf(1 - t, room) : streamOf(t, room);
        return [first, await outcome(system.store.append(target, batch, expected))];
      });
    }),
  fc
    .tuple(fc.nat({ max: 60 }), fc.integer({ min: 0, max: 25 }))
    .map(
      ([after, limit]) =>
        new Step(`readAll after ${after} limit ${limit}`, (system) => outcome(system.store.readAll({ afterPosition: after, limit }))),
    ),
  fc
    .record({
      t: tenantIndex,
      room: roomIndex,
      from: fc.option(fc.nat({ max: 15 }), { nil: undefined }),
      to: fc.option(fc.nat({ max: 15 }), { nil: undefined }),
    })
    .map(
      ({ t, room, from, to }) =>
        new Step(`readStream ${t}/${room} ${from}..${to}`, (system) =>
          outcome(system.store.readStream(streamOf(t, room), { fromVersion: from, toVersion: to })),
        ),
    ),
  fc.tuple(tenantIndex, roomIndex).map(
    ([t, room]) =>
      new Step(`load ${t}/${room}`, async (system) => ({
        loaded: await outcome(system.store.loadRoom(streamOf(t, room))),
        summary: await outcome(system.store.getRoom(streamOf(t, room))),
      })),
  ),
  fc
    .tuple(tenantIndex, fc.integer({ min: 1, max: 3 }))
    .map(([t, size]) => new Step(`list rooms of ${t} by ${size}`, (system) => allRooms(system.store, tenantAt(t), size))),
  fc
    .tuple(tenantIndex, roomIndex, fc.integer({ min: 1, max: 3 }))
    .map(([t, room, size]) => new Step(`list roster ${t}/${room} by ${size}`, (system) => allParticipants(system.store, streamOf(t, room), size))),
  tenantIndex.map(
    (t) =>
      new Step(`find every request id in ${t}`, async (system) =>
        Promise.all([...system.requestIds].sort().map((requestId) => outcome(system.store.findByRequestId(tenantAt(t), requestId)))),
      ),
  ),
  fc
    .tuple(fc.constantFrom('a', 'b'), fc.nat({ max: 100 }))
    .map(
      ([name, position]) =>
        new Step(`checkpoint ${name}=${position}`, async (system) => [
          await outcome(system.store.checkpoints.set(name, position)),
          await outcome(system.store.checkpoints.get(name)),
        ]),
    ),
  fc.constant(new Step('rebuild projections', (system) => outcome(system.store.rebuildProjections()))),
];

/**
 * Model-based test: random sequences of service commands, raw appends with every ExpectedVersion
 * option, re-appends, reads, paging, request lookups, checkpoints and rebuilds, run against the
 * store under test and against the memory store as the model. Every answer must be identical.
 */
export async function modelBasedContract(factory: StoreFactory, runs = numRuns(500)): Promise<void> {
  let run = 0;
  const system = (store: EventStore): System => {
    const clock = manualClock();
    return {
      store,
      clock,
      requestIds: new Set<string>(),
      service: createRoomService({ store, clock, ids: sequentialIds(run), limits: { maxCallSize: 2, maxRosterSize: 5 } }),
    };
  };
  await assertProperty(
    fc.asyncProperty(fc.commands(steps, { maxCommands: 60, size: 'max' }), async (commands) => {
      run += 1;
      const model = system(createMemoryStore());
      const real = system(await factory.open());
      try {
        await fc.asyncModelRun(() => ({ model, real }), commands);
      } finally {
        await real.store.close();
      }
    }),
    runs,
  );
}
