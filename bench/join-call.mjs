// JoinCall latency at the service level (createRoomService over a SQLite file, in this process), where a
// room's past might cost: (a) a room with 10,000 prior events against a fresh room, both with a roster of
// 10; (b) a roster of 10,000 against a roster of 10, both rooms with ~10,000 prior events. Each join is
// followed by a leave (untimed), with one more participant staying in the call throughout, so that every
// timed join appends exactly one ParticipantJoinedCall on every side. Within each round the three rooms
// take turns, 100 joins at a time, the WAL checkpointed between turns; mean µs per join and per-round
// ratios reported (row 6 of BENCHMARKS.md: target ≤ 1.2 each).
// USHER_BENCH_ROUNDS sets the number of rounds (default 5); quick mode makes fewer joins per round.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createRoomService } from '../packages/core/dist/index.js';
import { randomIds, systemClock } from '../packages/core/dist/runtime/index.js';
import { createSqliteStore } from '../packages/store-sqlite/dist/index.js';
import { QUICK, report, roundsOf, summary, target } from './report.mjs';

const { rounds: ROUNDS } = roundsOf({ rounds: 5, seconds: 1 });
const JOINS = QUICK ? 500 : 4000;
/** Joins on one room before the next room's turn. */
const BLOCK = 100;
/** The fresh room is replaced by another fresh one after this many joins (at the start of a turn), so that it stays fresh. */
const FRESH_FOR = BLOCK;
const PRIOR_EVENTS = 10_000;
const BIG_ROSTER = 10_000;
const PER_REQUEST = 1000;
const TENANT = 'bench';
const ANCHOR = '8:acs:bench_anchor';
const JOINERS = Array.from({ length: 9 }, (_, n) => `8:acs:bench_joiner_${n}`);
const SMALL_ROSTER = [{ id: ANCHOR, role: 'Presenter' }, ...JOINERS.map((id) => ({ id, role: 'Attendee' }))];

const directory = mkdtempSync(join(tmpdir(), 'usher-bench-join-'));
// NORMAL: a join is one small commit, and at FULL the disk's sync (the same on every side) would drown the difference measured.
const path = join(directory, 'join.db');
const store = createSqliteStore({ path, synchronous: 'NORMAL' });
// A second connection to the same file, which only checkpoints the WAL between turns (untimed).
const checkpointer = new Database(path);
const service = createRoomService({
  store,
  clock: systemClock,
  ids: randomIds(),
  limits: { maxRosterSize: 2 * BIG_ROSTER, maxParticipantsPerRequest: PER_REQUEST },
});

const unwrap = async (result) => {
  const settled = await result;
  if (settled.isErr()) throw new Error(`${settled.error.type}: ${settled.error.message}`);
  return settled.value;
};

/** A room with the small roster, its anchor in the call: 13 events. */
async function freshRoom() {
  const created = await unwrap(service.createRoom(TENANT, { participants: SMALL_ROSTER }));
  await unwrap(service.joinCall(created.stream, ANCHOR));
  return created.stream;
}

/** The small roster after ≥ PRIOR_EVENTS events of others added and removed, a thousand at a time. */
async function churnedRoom() {
  const created = await unwrap(service.createRoom(TENANT, { participants: SMALL_ROSTER }));
  let version = created.version;
  for (let batch = 0; version < PRIOR_EVENTS; batch += 1) {
    const others = Array.from({ length: PER_REQUEST }, (_, n) => ({ id: `8:acs:bench_churn_${batch}_${n}`, role: 'Attendee' }));
    await unwrap(service.addParticipants(created.stream, others));
    version = (
      await unwrap(
        service.removeParticipants(
          created.stream,
          others.map((other) => other.id),
        ),
      )
    ).version;
  }
  await unwrap(service.joinCall(created.stream, ANCHOR));
  return created.stream;
}

/** The small roster and others up to BIG_ROSTER participants, added a thousand at a time (~10,000 events). */
async function bigRosterRoom() {
  const created = await unwrap(service.createRoom(TENANT, { participants: SMALL_ROSTER }));
  for (let added = SMALL_ROSTER.length; added < BIG_ROSTER; added += PER_REQUEST) {
    const count = Math.min(PER_REQUEST, BIG_ROSTER - added);
    const others = Array.from({ length: count }, (_, n) => ({ id: `8:acs:bench_member_${added + n}`, role: 'Attendee' }));
    await unwrap(service.addParticipants(created.stream, others));
  }
  await unwrap(service.joinCall(created.stream, ANCHOR));
  return created.stream;
}

/** A room of each kind and the time its joins took. */
function side(kind, stream) {
  return { kind, room: stream, joins: 0, ms: 0 };
}

/**
 * One turn of a side: the WAL checkpointed and one untimed write made (a new fresh room, or a join and a
 * leave), so that SQLite's automatic checkpoint — a few hundred ms every 10,000 WAL pages, whichever
 * room's commit it falls on — never lands in a timed join; then `count` joins, each followed by a leave,
 * the joins alone timed.
 */
async function turn(current, count) {
  checkpointer.pragma('wal_checkpoint(TRUNCATE)');
  if (current.kind === 'fresh' && current.joins > 0 && current.joins % FRESH_FOR === 0) current.room = await freshRoom();
  else {
    await unwrap(service.joinCall(current.room, JOINERS[0]));
    await unwrap(service.leaveCall(current.room, JOINERS[0]));
  }
  for (let n = 0; n < count; n += 1) {
    const participant = JOINERS[current.joins % JOINERS.length];
    const started = performance.now();
    const joined = await service.joinCall(current.room, participant);
    current.ms += performance.now() - started;
    current.joins += 1;
    if (joined.isErr()) throw new Error(`${joined.error.type}: ${joined.error.message}`);
    if (joined.value.events.length !== 1) throw new Error(`a join appended ${joined.value.events.length} events, expected 1`);
    await unwrap(service.leaveCall(current.room, participant));
  }
}

const builders = { fresh: freshRoom, churned: churnedRoom, big: bigRosterRoom };
const kinds = ['fresh', 'churned', 'big'];
const micros = { fresh: [], churned: [], big: [] };
const eventRatios = [];
const rosterRatios = [];
for (let round = 1; round <= ROUNDS; round += 1) {
  const sides = {};
  for (const kind of kinds) sides[kind] = side(kind, await builders[kind]());
  // Within a round the three rooms take turns, BLOCK joins at a time, each block starting with the next
  // of them: a change in the machine's load falls on all three alike.
  for (let block = 0; block < JOINS / BLOCK; block += 1) {
    for (let next = 0; next < kinds.length; next += 1) await turn(sides[kinds[(block + next) % kinds.length]], BLOCK);
  }
  const measured = Object.fromEntries(kinds.map((kind) => [kind, (sides[kind].ms * 1000) / sides[kind].joins]));
  for (const kind of kinds) micros[kind].push(measured[kind]);
  eventRatios.push(measured.churned / measured.fresh);
  rosterRatios.push(measured.big / measured.churned);
  console.log(
    `round ${round}: mean join ${measured.fresh.toFixed(0)} µs fresh room, ${measured.churned.toFixed(0)} µs after ${PRIOR_EVENTS.toLocaleString('en')} events, ` +
      `${measured.big.toFixed(0)} µs with a roster of ${BIG_ROSTER.toLocaleString('en')}; ratios ${(measured.churned / measured.fresh).toFixed(3)} (events), ${(measured.big / measured.churned).toFixed(3)} (roster)`,
  );
}
await store.close();
checkpointer.close();
rmSync(directory, { recursive: true, force: true });

const eventRatio = summary(eventRatios);
const rosterRatio = summary(rosterRatios);
console.log(
  `10,000 prior events / fresh room over ${ROUNDS} rounds: min ${eventRatio.min.toFixed(3)}, median ${eventRatio.median.toFixed(3)}, max ${eventRatio.max.toFixed(3)} (target ≤ 1.2)`,
);
console.log(
  `roster of 10,000 / roster of 10 over ${ROUNDS} rounds: min ${rosterRatio.min.toFixed(3)}, median ${rosterRatio.median.toFixed(3)}, max ${rosterRatio.max.toFixed(3)} (target ≤ 1.2)`,
);
report({
  row: '6',
  scenario: `JoinCall latency (service level): (a) after ${PRIOR_EVENTS.toLocaleString('en')} prior events, (b) with a roster of ${BIG_ROSTER.toLocaleString('en')}`,
  comparedWith: '(a) a fresh room, (b) a roster of 10 (both rooms of (b) with ~10,000 prior events)',
  figures: [
    { label: 'fresh room, roster of 10', unit: 'µs/join', ...summary(micros.fresh) },
    { label: `${PRIOR_EVENTS.toLocaleString('en')} prior events, roster of 10`, unit: 'µs/join', ...summary(micros.churned) },
    { label: `roster of ${BIG_ROSTER.toLocaleString('en')} (~10,000 prior events)`, unit: 'µs/join', ...summary(micros.big) },
  ],
  ratio: { label: '10,000 prior events / fresh room', ...eventRatio },
  target: target('≤ 1.2', eventRatio.median, { atMost: 1.2 }),
  secondRatio: {
    label: 'roster of 10,000 / roster of 10',
    ...rosterRatio,
    target: target('≤ 1.2', rosterRatio.median, { atMost: 1.2 }),
  },
  note:
    `Service level: createRoomService over a SQLite file at NORMAL in the benchmark process, no HTTP. ${JOINS} joins per room per round in turns of ${BLOCK}, each followed by an untimed leave; the WAL is checkpointed between turns from a second connection (untimed) so that SQLite's automatic checkpoint never lands in a timed join; ` +
    `a presenter stays in the call, so each join appends one event. The prior events are participants added and removed a thousand at a time; ` +
    `the fresh room is replaced by a new one every ${FRESH_FOR} joins.` +
    (QUICK ? ` Quick mode: ${JOINS} joins per round instead of 4000.` : ''),
});
