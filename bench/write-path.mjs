// The write path's own targets (row W of BENCHMARKS.md), on SQLite through createRoomService, in this
// process, alternating rounds:
// - one role change in a room of 10,000 participants against the same in a room of 10 (target ≤ 1.2×);
// - loadRoom of a room with 10,000 events behind it against a fresh room (target ≤ 1.2×);
// - 50 commands in flight on 50 rooms at FULL, with group commit, against the raw one-insert-per-
//   transaction FULL ceiling (reported: what group commit buys under concurrency).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRoomService } from '../packages/core/dist/index.js';
import { randomIds, systemClock } from '../packages/core/dist/runtime/index.js';
import { createSqliteStore } from '../packages/store-sqlite/dist/index.js';
import { rawInsertCeiling } from './ceilings.mjs';
import { QUICK, report, roundsOf, summary, target } from './report.mjs';

const { rounds: ROUNDS, seconds: SECONDS } = roundsOf({ rounds: 5, seconds: 1 });
const LARGE_ROSTER = 10_000;
const HISTORY = QUICK ? 2_000 : 10_000;
const IN_FLIGHT = 50;
const directory = mkdtempSync(join(tmpdir(), 'usher-bench-write-path-'));
const limits = { maxRosterSize: 20_000, maxParticipantsPerRequest: 1_000 };

/** Calls `operation` for a round's length; answers microseconds per call. */
async function microsPerCall(operation) {
  const end = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let calls = 0;
  while (performance.now() < end) {
    await operation();
    calls += 1;
  }
  return ((performance.now() - started) * 1000) / calls;
}

/** Alternating rounds of a light and a heavy operation: each side's µs per call, and heavy/light per round. */
async function compare(light, heavy) {
  const lights = [];
  const heavies = [];
  const ratios = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const lightMicros = await microsPerCall(light);
    const heavyMicros = await microsPerCall(heavy);
    lights.push(lightMicros);
    heavies.push(heavyMicros);
    ratios.push(heavyMicros / lightMicros);
  }
  return { light: summary(lights), heavy: summary(heavies), ratio: summary(ratios) };
}

const must = (result) => {
  if (result.isErr()) throw new Error(result.error.message);
  return result.value;
};

// One participant's role changes back and forth: what one append costs as the roster grows.
const rosterStore = createSqliteStore({ path: join(directory, 'roster.db'), synchronous: 'NORMAL' });
const rosterService = createRoomService({ store: rosterStore, clock: systemClock, ids: randomIds(), limits });
async function roleFlips(size) {
  const room = must(await rosterService.createRoom('bench')).stream;
  for (let added = 0; added < size; added += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, size - added) }, (_, n) => ({ id: `8:acs:r${size}_${added + n}`, role: 'Attendee' }));
    must(await rosterService.addParticipants(room, batch));
  }
  let flips = 0;
  return async () => {
    flips += 1;
    must(await rosterService.updateParticipants(room, [{ id: `8:acs:r${size}_0`, role: flips % 2 === 0 ? 'Attendee' : 'Presenter' }], []));
  };
}
const roster = await compare(await roleFlips(10), await roleFlips(LARGE_ROSTER));
console.log(
  `role change, roster ${LARGE_ROSTER} / roster 10: ${roster.heavy.median.toFixed(0)} / ${roster.light.median.toFixed(0)} µs, ratio median ${roster.ratio.median.toFixed(2)}`,
);

// A room with a long history (a call's joins and leaves) against a fresh one.
const fresh = must(await rosterService.createRoom('bench', { participants: [{ id: '8:acs:alice' }] })).stream;
const long = must(await rosterService.createRoom('bench', { participants: [{ id: '8:acs:alice' }, { id: '8:acs:bob' }] })).stream;
must(await rosterService.joinCall(long, '8:acs:bob'));
// Bob stays in the call, so each join or leave of Alice's is one event.
for (let version = must(await rosterStore.loadRoom(long)).version, inCall = false; version < HISTORY; inCall = !inCall) {
  version = must(inCall ? await rosterService.leaveCall(long, '8:acs:alice') : await rosterService.joinCall(long, '8:acs:alice')).version;
}
const history = await compare(
  async () => must(await rosterStore.loadRoom(fresh)),
  async () => must(await rosterStore.loadRoom(long)),
);
console.log(
  `loadRoom, ${HISTORY} events / fresh: ${history.heavy.median.toFixed(1)} / ${history.light.median.toFixed(1)} µs, ratio median ${history.ratio.median.toFixed(2)}`,
);
await rosterStore.close();

// 50 commands in flight, one per room, as an HTTP server with 50 connections has them.
const groupStore = createSqliteStore({ path: join(directory, 'group.db'), synchronous: 'FULL' });
const groupService = createRoomService({ store: groupStore, clock: systemClock, ids: randomIds() });
const rooms = [];
for (let n = 0; n < IN_FLIGHT; n += 1) rooms.push(must(await groupService.createRoom('bench')).stream);
let added = 0;
async function inFlightRound() {
  const end = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let commands = 0;
  while (performance.now() < end) {
    await Promise.all(
      rooms.map(async (room) => {
        added += 1;
        must(await groupService.addParticipants(room, [{ id: `8:acs:c${added}`, role: 'Attendee' }]));
      }),
    );
    commands += IN_FLIGHT;
  }
  return (commands * 1000) / (performance.now() - started);
}
const raw = rawInsertCeiling(join(directory, 'raw.db'), 'FULL', IN_FLIGHT);
const grouped = [];
const ceilings = [];
const groupRatios = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const perSecond = await inFlightRound();
  const ceiling = raw.round(SECONDS);
  grouped.push(perSecond);
  ceilings.push(ceiling);
  groupRatios.push(perSecond / ceiling);
}
const group = summary(groupRatios);
console.log(`${IN_FLIGHT} in flight with group commit / raw FULL ceiling: median ${group.median.toFixed(2)}`);
await groupStore.close();
raw.close();
rmSync(directory, { recursive: true, force: true });

report({
  row: 'W',
  scenario: 'the write path: append cost by roster size, loadRoom by history, 50 commands in flight (SQLite, service level)',
  comparedWith: 'the same operation on a small room; the raw one-insert-per-transaction FULL ceiling',
  figures: [
    { label: 'role change, roster 10 (NORMAL)', unit: 'µs', ...roster.light },
    { label: `role change, roster ${LARGE_ROSTER.toLocaleString('en-US')} (NORMAL)`, unit: 'µs', ...roster.heavy },
    { label: 'loadRoom, fresh room', unit: 'µs', ...history.light },
    { label: `loadRoom, ${HISTORY.toLocaleString('en-US')} events`, unit: 'µs', ...history.heavy },
    { label: `${IN_FLIGHT} in flight, group commit (FULL)`, unit: 'commands/s', ...summary(grouped) },
    { label: 'raw FULL ceiling', unit: 'rows/s', ...summary(ceilings) },
  ],
  ratio: { label: `role change, roster ${LARGE_ROSTER.toLocaleString('en-US')} / roster 10`, ...roster.ratio },
  target: target('≤ 1.2', roster.ratio.median, { atMost: 1.2 }),
  historyRatio: {
    label: `loadRoom, ${HISTORY.toLocaleString('en-US')} events / fresh room`,
    ...history.ratio,
    target: target('≤ 1.2', history.ratio.median, { atMost: 1.2 }),
  },
  groupRatio: { label: `${IN_FLIGHT} commands in flight with group commit / raw FULL ceiling`, ...group },
});
