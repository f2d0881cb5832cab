// Rebuilding every projection from a log of 1,000,000 events on SQLite (`store.rebuildProjections()`, what
// `usher rebuild` runs), beside the raw floor of reading that log: better-sqlite3 iterating every row of
// `events` in position order and reading its columns, no projection. The log is written once (as
// bench/make-log.mjs writes it: rooms created, then participants added and removed in turns, 100 events
// per append), then raw iteration and rebuild alternate, a raw pass before and after each rebuild; events/s
// of each and per-round ratios (each rebuild against the mean of the raw passes around it) reported
// (row 3 of BENCHMARKS.md: target ≥ 0.3 of raw). USHER_BENCH_ROUNDS sets the number of rounds (default 3);
// quick mode writes 100,000 events.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../packages/store-sqlite/dist/index.js';
import { writeEventLog } from './event-log.mjs';
import { QUICK, report, roundsOf, summary, target } from './report.mjs';

const EVENTS = QUICK ? 100_000 : 1_000_000;
const ROOMS = 2000;
const { rounds: ROUNDS } = roundsOf({ rounds: 3, seconds: 1 });
const directory = mkdtempSync(join(tmpdir(), 'usher-bench-rebuild-'));
const path = join(directory, 'log.db');

/** One `usher rebuild`: the store opened as the CLI opens it (defaults, FULL), only the rebuild timed. */
async function rebuildRound() {
  const store = createSqliteStore({ path });
  const started = performance.now();
  const rebuilt = await store.rebuildProjections();
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  if (rebuilt.isErr()) throw new Error(rebuilt.error.message);
  if (rebuilt.value.events !== EVENTS) throw new Error(`rebuild replayed ${rebuilt.value.events} events, expected ${EVENTS}`);
  return { perSecond: rebuilt.value.events / seconds, seconds, rooms: rebuilt.value.rooms };
}

/** Every row of `events` in position order, each column read, nothing made of them. */
function rawRound() {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare(
    'SELECT position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash FROM events ORDER BY position',
  );
  const started = performance.now();
  let count = 0;
  let characters = 0;
  for (const row of rows.iterate()) {
    count += 1;
    characters +=
      row.position +
      row.tenant_id.length +
      row.room_id.length +
      row.version +
      row.event_id.length +
      row.type.length +
      row.schema_version +
      row.data.length +
      row.meta.length +
      row.prev_hash.length +
      row.hash.length;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  if (count !== EVENTS) throw new Error(`raw iteration read ${count} rows, expected ${EVENTS}`);
  return { perSecond: count / seconds, seconds, characters };
}

const writeStarted = performance.now();
const logStore = createSqliteStore({ path, synchronous: 'NORMAL' });
const written = await writeEventLog(logStore, EVENTS, ROOMS);
await logStore.close();
console.log(
  `log written: ${written} events in ${ROOMS} rooms in ${((performance.now() - writeStarted) / 1000).toFixed(1)} s (${(statSync(path).size / 2 ** 20).toFixed(0)} MB)`,
);

// Raw passes and rebuilds alternate, a raw pass on either side of every rebuild: each rebuild is compared
// with the mean of the two passes around it, so that a change in the machine's speed during a round
// (the cores are shared) weighs on both sides of its ratio.
const usherRates = [];
const rawRates = [];
const ratios = [];
let rawBefore = rawRound();
console.log(`raw SELECT iteration ${rawBefore.perSecond.toFixed(0)} rows/s (${rawBefore.seconds.toFixed(2)} s)`);
for (let round = 1; round <= ROUNDS; round += 1) {
  const rebuilt = await rebuildRound();
  const rawAfter = rawRound();
  const raw = (rawBefore.perSecond + rawAfter.perSecond) / 2;
  rawBefore = rawAfter;
  usherRates.push(rebuilt.perSecond);
  rawRates.push(raw);
  ratios.push(rebuilt.perSecond / raw);
  console.log(
    `round ${round}: rebuild ${rebuilt.perSecond.toFixed(0)} events/s (${rebuilt.seconds.toFixed(2)} s, ${rebuilt.rooms} rooms); ` +
      `raw SELECT iteration ${rawAfter.perSecond.toFixed(0)} rows/s (${rawAfter.seconds.toFixed(2)} s), ${raw.toFixed(0)} rows/s around the rebuild; ` +
      `ratio ${(rebuilt.perSecond / raw).toFixed(3)}`,
  );
}
const ratio = summary(ratios);
console.log(
  `rebuild / raw iteration over ${ROUNDS} rounds: min ${ratio.min.toFixed(3)}, median ${ratio.median.toFixed(3)}, max ${ratio.max.toFixed(3)} (target ≥ 0.3)`,
);
rmSync(directory, { recursive: true, force: true });
report({
  row: '3',
  scenario: `SQLite: rebuild every projection from ${EVENTS.toLocaleString('en')} events in ${ROOMS} rooms (store.rebuildProjections, as usher rebuild)`,
  comparedWith: 'raw better-sqlite3 .iterate() of every row of events in position order, each column read, no projection',
  figures: [
    { label: 'Usher rebuild', unit: 'events/s', ...summary(usherRates) },
    { label: 'raw SELECT iteration (mean of the passes around each rebuild)', unit: 'rows/s', ...summary(rawRates) },
  ],
  ratio: { label: 'Usher / raw', ...ratio },
  target: target('≥ 0.3 of raw', ratio.median, { atLeast: 0.3 }),
  note:
    `The log is bench/make-log.mjs's (rooms created, then participants added and removed in turns, 100 events per append), written once at NORMAL; ` +
    `rebuild opens the store as the CLI does (FULL) and only the rebuild is timed; each rebuild is compared with the mean of the raw passes just before and after it. Both sides read a warm OS page cache.` +
    (QUICK ? ' Quick mode: 100,000 events instead of 1,000,000.' : ''),
});
