// Per-command appends on SQLite against the raw ceiling, at FULL and NORMAL: one AddParticipants per
// command on 100 existing rooms through createRoomService, beside one one-row insert per BEGIN IMMEDIATE
// transaction with the same pragmas (journal, durability, checkpoints), in this process, in alternating
// rounds; min/median/max of the ratios reported (row 1 of BENCHMARKS.md; the write-path targets).
// USHER_BENCH_SECONDS sets the length of a round (default 1), USHER_BENCH_ROUNDS their number (default 5).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRoomService } from '../packages/core/dist/index.js';
import { randomIds, systemClock } from '../packages/core/dist/runtime/index.js';
import { createSqliteStore } from '../packages/store-sqlite/dist/index.js';
import { rawInsertCeiling, serviceAppendRound } from './ceilings.mjs';
import { report, roundsOf, summary, target } from './report.mjs';

const ROOMS = 100;
const { rounds: ROUNDS, seconds: SECONDS } = roundsOf({ rounds: 5, seconds: 1 });
const TARGETS = { FULL: 0.5, NORMAL: 0.25 };
const measured = {};
const directory = mkdtempSync(join(tmpdir(), 'usher-bench-append-'));

for (const synchronous of ['FULL', 'NORMAL']) {
  const store = createSqliteStore({ path: join(directory, `service-${synchronous}.db`), synchronous });
  const service = createRoomService({ store, clock: systemClock, ids: randomIds() });
  const rooms = [];
  for (let n = 0; n < ROOMS; n += 1) rooms.push((await service.createRoom('bench'))._unsafeUnwrap().stream);

  const raw = rawInsertCeiling(join(directory, `raw-${synchronous}.db`), synchronous, ROOMS);

  const counter = { next: 0 };
  const ratios = [];
  const services = [];
  const ceilings = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const perSecond = await serviceAppendRound(service, rooms, counter, SECONDS);
    const ceiling = raw.round(SECONDS);
    ratios.push(perSecond / ceiling);
    services.push(perSecond);
    ceilings.push(ceiling);
    console.log(
      `${synchronous} round ${round}: createRoomService ${perSecond.toFixed(0)} commands/s; raw one-insert-per-transaction ${ceiling.toFixed(0)}/s; ratio ${(perSecond / ceiling).toFixed(3)}`,
    );
  }
  const { min, median, max } = summary(ratios);
  console.log(
    `appends at ${synchronous} / raw ceiling over ${ROUNDS} rounds: min ${min.toFixed(3)}, median ${median.toFixed(3)}, max ${max.toFixed(3)} (target ≥ ${TARGETS[synchronous]})`,
  );
  measured[synchronous] = { ratio: summary(ratios), service: summary(services), ceiling: summary(ceilings) };
  await store.close();
  raw.close();
}
rmSync(directory, { recursive: true, force: true });
report({
  row: '1',
  scenario: 'SQLite: service appends/s, one AddParticipants per command on 100 existing rooms, FULL and NORMAL',
  comparedWith: 'raw better-sqlite3 one-row insert per BEGIN IMMEDIATE transaction, same pragmas, same process',
  figures: ['FULL', 'NORMAL'].flatMap((synchronous) => [
    { label: `Usher at ${synchronous}`, unit: 'commands/s', ...measured[synchronous].service },
    { label: `raw ceiling at ${synchronous}`, unit: 'rows/s', ...measured[synchronous].ceiling },
  ]),
  ratio: { label: 'Usher / raw at FULL', ...measured.FULL.ratio },
  target: target('≥ 0.5', measured.FULL.ratio.median, { atLeast: TARGETS.FULL }),
  normalRatio: {
    label: 'Usher / raw at NORMAL',
    ...measured.NORMAL.ratio,
    target: target('≥ 0.25', measured.NORMAL.ratio.median, { atLeast: TARGETS.NORMAL }),
  },
  note: 'One command at a time (no group commit helps here). An append writes ~7.6 pages to the WAL (the event and its two indexes, the roster row in two B-trees, the stream head) where the raw insert writes 2; at NORMAL nothing waits for the disk, so that difference and the JavaScript of a command (decide, ids, hash chain, projection) are all there is. See the write-path notes.',
});
