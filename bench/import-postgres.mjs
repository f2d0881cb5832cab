// Row 10: importing an export of 1,000,000 events (quick: 100,000) into PostgreSQL, and the same into
// SQLite, as `usher import` does it (importEvents over a store opened with the CLI's defaults, after the
// export verifies); the rate of each tenth of the import, to show whether it falls as the log grows.
// Needs USHER_PG_URL (skipped with a note without it). The export comes from bench/make-log.mjs through
// `usher export`.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { importEvents, verifyExport } from '../packages/core/dist/index.js';
import { createPostgresStore, migratePostgres } from '../packages/store-postgres/dist/index.js';
import { createSqliteStore } from '../packages/store-sqlite/dist/index.js';
import { QUICK, report, summary, target } from './report.mjs';

const EVENTS = QUICK ? 100_000 : 1_000_000;
const ROOMS = EVENTS / 500;
const TENTHS = 10;
const ROOT = join(import.meta.dirname, '..');
const postgresUrl = process.env.USHER_PG_URL;
const scenario = `usher import of ${EVENTS.toLocaleString('en-US')} events (${ROOMS.toLocaleString('en-US')} rooms) into PostgreSQL`;

if (postgresUrl === undefined) {
  console.log('USHER_PG_URL is not set: row 10 needs a PostgreSQL server, skipped.');
  report({
    row: '10',
    scenario,
    comparedWith: 'the same into SQLite',
    figures: [],
    ratio: null,
    target: null,
    note: 'Skipped: USHER_PG_URL was not set.',
  });
  process.exit(0);
}

const directory = mkdtempSync(join(tmpdir(), 'usher-bench-import-'));
const exported = join(directory, 'log.ndjson');
const { USHER_PG_URL: _postgres, ...cliEnv } = process.env;
execFileSync(process.execPath, [join(ROOT, 'bench/make-log.mjs'), join(directory, 'source.db'), String(EVENTS), String(ROOMS)], { stdio: 'ignore' });
execFileSync(process.execPath, [join(ROOT, 'packages/cli/dist/main.js'), 'export', '--db', join(directory, 'source.db'), '--out', exported], {
  env: cliEnv,
  stdio: 'ignore',
});
const lines = () => createInterface({ input: createReadStream(exported, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
const verified = await verifyExport(lines());
if (verified.isErr()) throw new Error(verified.error.message);
console.log(`export of ${verified.value.events} events in ${verified.value.streams} rooms ready`);

/** Imports the export into `store`; answers the overall rate and the rate of each tenth. */
async function importInto(label, store) {
  const started = performance.now();
  const marks = [started];
  const imported = await importEvents(store, lines(), {
    onProgress: (done) => {
      while (marks.length <= TENTHS && done >= (EVENTS / TENTHS) * marks.length) marks.push(performance.now());
    },
  });
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  if (imported.isErr()) throw new Error(`${label}: ${imported.error.message}`);
  const perTenth = marks.slice(1).map((at, index) => EVENTS / TENTHS / ((at - (marks[index] ?? started)) / 1000));
  const rate = imported.value.events / seconds;
  console.log(
    `${label}: ${imported.value.events} events in ${seconds.toFixed(1)} s, ${rate.toFixed(0)}/s; by tenth: ${perTenth.map((r) => r.toFixed(0)).join(', ')}`,
  );
  return { rate, perTenth, growth: (perTenth[perTenth.length - 1] ?? 0) / (perTenth[0] ?? 1) };
}

const schema = `usher_bench_import_${process.pid}`;
const admin = new pg.Client({ connectionString: postgresUrl });
await admin.connect();
let postgres;
let sqlite;
try {
  await migratePostgres({ connectionString: postgresUrl, schema });
  postgres = await importInto('PostgreSQL', createPostgresStore({ connectionString: postgresUrl, schema }));
  sqlite = await importInto('SQLite (FULL)', createSqliteStore({ path: join(directory, 'target.db') }));
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  rmSync(directory, { recursive: true, force: true });
}

const once = (value) => ({ min: value, median: value, max: value });
report({
  row: '10',
  scenario,
  comparedWith: 'the same export into SQLite (FULL, the default)',
  figures: [
    { label: 'PostgreSQL, whole import', unit: 'events/s', ...once(postgres.rate) },
    { label: 'PostgreSQL, by tenth of the import', unit: 'events/s', ...summary(postgres.perTenth) },
    { label: 'SQLite, whole import', unit: 'events/s', ...once(sqlite.rate) },
    { label: 'SQLite, by tenth of the import', unit: 'events/s', ...summary(sqlite.perTenth) },
  ],
  ratio: { label: 'PostgreSQL: last tenth’s rate / first tenth’s', ...once(postgres.growth) },
  target: target('≥ 0.8 (the rate does not fall as the log grows)', postgres.growth, { atLeast: 0.8 }),
  sqliteRatio: {
    label: 'SQLite: last tenth’s rate / first tenth’s',
    ...once(sqlite.growth),
    target: target('≥ 0.8', sqlite.growth, { atLeast: 0.8 }),
  },
  storesRatio: { label: 'PostgreSQL / SQLite, whole import', ...once(postgres.rate / sqlite.rate) },
  note: `One import each (a run is ${EVENTS.toLocaleString('en-US')} events); runs of up to 500 events of one room per append, as \`usher import\` makes them. By tenth: ${postgres.perTenth.map((r) => Math.round(r)).join(', ')} (PostgreSQL); ${sqlite.perTenth.map((r) => Math.round(r)).join(', ')} (SQLite).`,
});
