// Resident memory of `usher serve` (its own process, SQLite) after 100,000 rooms of 10 participants each
// were created over its HTTP API: signed POST /rooms, driven by autocannon from this process with 50
// connections, in ten steps; VmRSS and VmHWM of the server read from /proc/<pid>/status after each step.
// Row 9 of BENCHMARKS.md: target < 250 MB after creation. Measured once: no rounds, no ratio.
// Quick mode creates 10,000 rooms. USHER_BENCH_PROFILE=<dir> writes a CPU profile of the server there.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signRequest } from '../packages/http-adapter/dist/index.js';
import { startUsher } from './processes.mjs';
import { QUICK, report, summary, target } from './report.mjs';

const ROOMS = QUICK ? 10_000 : 100_000;
const PARTICIPANTS = 10;
const STEPS = 10;
const CONNECTIONS = 50;
const PATH = '/rooms?api-version=2025-03-13';
/** Participant rawIds of ACS's shape, 8:acs:<resource>_<user>, each one different. */
const RESOURCE = 'b6aada1f-0b1d-47ac-866f-91aae00a1d01';
const directory = mkdtempSync(join(tmpdir(), 'usher-bench-rss-'));

const server = await startUsher(join(directory, 'rss.db'));
const url = new URL(PATH, server.endpoint);

/** VmRSS and VmHWM of the server process, in MB. */
function memory() {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

let made = 0;
function createBody() {
  const participants = {};
  for (let n = 0; n < PARTICIPANTS; n += 1) {
    participants[`8:acs:${RESOURCE}_00000000-0000-0000-0000-${String(made * PARTICIPANTS + n).padStart(12, '0')}`] = {
      role: n === 0 ? 'Presenter' : 'Attendee',
    };
  }
  made += 1;
  return JSON.stringify({ participants });
}

/** `amount` rooms created, each request signed as it is sent. */
function step(amount) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: server.endpoint,
        connections: CONNECTIONS,
        amount,
        requests: [
          {
            method: 'POST',
            path: PATH,
            setupRequest: (request) => {
              const body = createBody();
              const headers = { ...signRequest({ method: 'POST', url, body, date: new Date() }, server.key), 'content-type': 'application/json' };
              return { ...request, body, headers };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

const idle = memory();
console.log(`usher serve (pid ${server.child.pid}) idle: RSS ${idle.rss.toFixed(1)} MB`);
const started = performance.now();
let notOk = 0;
let created = 0;
for (let s = 1; s <= STEPS; s += 1) {
  const amount = Math.round((ROOMS * s) / STEPS) - created;
  const stepStarted = performance.now();
  const result = await step(amount);
  const rate = result['2xx'] / ((performance.now() - stepStarted) / 1000);
  created += result['2xx'];
  notOk += result.non2xx + result.errors + result.timeouts;
  const now = memory();
  console.log(
    `${created} rooms created (${rate.toFixed(0)} rooms/s, mean ${result.latency.average.toFixed(1)} ms, ${result.non2xx + result.errors + result.timeouts} not 2xx): ` +
      `RSS ${now.rss.toFixed(1)} MB, peak ${now.peak.toFixed(1)} MB`,
  );
}
const seconds = (performance.now() - started) / 1000;
const after = memory();
console.log(
  `after ${created} rooms of ${PARTICIPANTS} participants in ${seconds.toFixed(1)} s: RSS ${after.rss.toFixed(1)} MB, peak ${after.peak.toFixed(1)} MB (target < 250 MB)`,
);
// An answer that is not a success makes the figures meaningless: the run fails, after cleaning up.
if (notOk > 0 || created !== ROOMS) process.exitCode = 1;
report({
  row: '9',
  scenario: `usher serve (SQLite) resident memory after ${ROOMS.toLocaleString('en')} rooms of ${PARTICIPANTS} participants created over HTTP`,
  comparedWith: 'the 250 MB budget',
  figures: [
    { label: 'RSS after creation', unit: 'MB', ...summary([after.rss]) },
    { label: 'peak RSS (VmHWM)', unit: 'MB', ...summary([after.peak]) },
    { label: 'RSS idle, before creation', unit: 'MB', ...summary([idle.rss]) },
  ],
  ratio: null,
  target: target('< 250 MB', after.rss, { atMost: 250 }),
  note:
    `Signed POST /rooms (${PARTICIPANTS} participants each, distinct rawIds), ${CONNECTIONS} connections from autocannon in this process, ` +
    `each request signed as it is sent; VmRSS/VmHWM from /proc/<pid>/status of the server right after the last request (request log on, SQLite at FULL). ` +
    `Measured once.` +
    (QUICK ? ' Quick mode: 10,000 rooms instead of 100,000.' : ''),
});
server.child.kill('SIGTERM');
await new Promise((resolve) => setTimeout(resolve, 300));
rmSync(directory, { recursive: true, force: true });
