// Signed GET /rooms pages over HTTP against `usher serve` (its own process, SQLite) holding 100,000 rooms:
// the page at a depth of ~100,000 rooms (reached by following nextLink) against the first page. autocannon
// drives both from this process, 50 connections, alternating rounds; req/s, mean latency and per-round
// ratios of mean latency reported (row 7 of BENCHMARKS.md: target deep / first ≤ 1.5).
// USHER_BENCH_SECONDS sets the length of a round (default 5), USHER_BENCH_ROUNDS their number (default 5);
// quick mode fills 10,000 rooms. USHER_BENCH_PROFILE=<dir> writes a CPU profile of the server there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createRoomService } from '../packages/core/dist/index.js';
import { randomIds, systemClock } from '../packages/core/dist/runtime/index.js';
import { signRequest } from '../packages/http-adapter/dist/index.js';
import { createSqliteStore } from '../packages/store-sqlite/dist/index.js';
import { startUsher } from './processes.mjs';
import { QUICK, report, roundsOf, summary, target } from './report.mjs';

const ROOMS = QUICK ? 10_000 : 100_000;
/** usher serve's default page size: the page measured at both depths. */
const PAGE = 50;
/** Rooms before the deep page: its 50 rooms are among the last, and it still has a next page, as the first has. */
const DEPTH = ROOMS - 2 * PAGE;
/** The largest page the API gives (maxpagesize), for walking down to the deep page. */
const WALK_PAGE = 1000;
const CONNECTIONS = 50;
/** Rooms created together, so that they commit in one transaction (the store's group commit). */
const FILL_BATCH = 1000;
const API = 'api-version=2025-03-13';
const { rounds: ROUNDS, seconds: SECONDS } = roundsOf({ rounds: 5, seconds: 5 });
const directory = mkdtempSync(join(tmpdir(), 'usher-bench-list-'));
const db = join(directory, 'list.db');

// The fill goes straight through the service, in this process: usher serve's default tenant, NORMAL sync.
const fillStarted = performance.now();
{
  const store = createSqliteStore({ path: db, synchronous: 'NORMAL' });
  const service = createRoomService({ store, clock: systemClock, ids: randomIds() });
  for (let made = 0; made < ROOMS; made += FILL_BATCH) {
    const batch = Array.from({ length: Math.min(FILL_BATCH, ROOMS - made) }, (_, n) =>
      service.createRoom('default', { participants: [{ id: `8:acs:bench_${made + n}`, role: 'Presenter' }] }),
    );
    for (const created of await Promise.all(batch)) if (created.isErr()) throw new Error(created.error.message);
  }
  await store.close();
}
console.log(`filled: ${ROOMS} rooms in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);

const server = await startUsher(db);
const signed = (url) => signRequest({ method: 'GET', url, body: '', date: new Date() }, server.key);

/** Follows nextLink from the first page, the largest pages the API gives, until `depth` rooms are behind. */
async function continuationAt(depth) {
  let url = new URL(`/rooms?${API}&maxpagesize=${Math.min(WALK_PAGE, depth)}`, server.endpoint);
  let passed = 0;
  for (;;) {
    const response = await fetch(url, { headers: signed(url) });
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
    const page = await response.json();
    passed += page.value.length;
    if (page.nextLink === undefined) throw new Error(`the listing ended after ${passed} rooms, before ${depth}`);
    const next = new URL(page.nextLink);
    if (passed >= depth) return next.searchParams.get('nextLink');
    next.searchParams.set('maxpagesize', String(Math.min(WALK_PAGE, depth - passed)));
    url = next;
  }
}

const walkStarted = performance.now();
const token = await continuationAt(DEPTH);
console.log(`walked to depth ${DEPTH} in ${((performance.now() - walkStarted) / 1000).toFixed(1)} s`);
const firstUrl = new URL(`/rooms?${API}`, server.endpoint);
const deepUrl = new URL(`/rooms?${API}&nextLink=${encodeURIComponent(token)}`, server.endpoint);

// Both pages hold PAGE rooms and a nextLink: the two sides answer the same amount.
for (const url of [firstUrl, deepUrl]) {
  const page = await (await fetch(url, { headers: signed(url) })).json();
  if (page.value.length !== PAGE || page.nextLink === undefined) throw new Error(`${url} answered ${page.value.length} rooms`);
}

function round(url, seconds = SECONDS) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: server.endpoint,
        connections: CONNECTIONS,
        duration: seconds,
        // Signed once per round: the signature's date is good for 15 minutes, and a GET may be sent again.
        requests: [{ method: 'GET', path: `${url.pathname}${url.search}`, headers: signed(url) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

// A second of each, unmeasured, so that the first round does not also measure the server's warm-up (JIT, caches).
await round(firstUrl, 1);
await round(deepUrl, 1);

const sides = { first: { rates: [], latencies: [] }, deep: { rates: [], latencies: [] } };
const ratios = [];
let notOk = 0;
for (let r = 1; r <= ROUNDS; r += 1) {
  const first = await round(firstUrl);
  const deep = await round(deepUrl);
  for (const [side, result] of [
    ['first', first],
    ['deep', deep],
  ]) {
    sides[side].rates.push(result.requests.average);
    sides[side].latencies.push(result.latency.average);
    notOk += result.non2xx + result.errors + result.timeouts;
  }
  ratios.push(deep.latency.average / first.latency.average);
  console.log(
    `round ${r}: first page ${first.requests.average.toFixed(0)} req/s, mean ${first.latency.average.toFixed(2)} ms (p99 ${first.latency.p99} ms); ` +
      `page at depth ${DEPTH} ${deep.requests.average.toFixed(0)} req/s, mean ${deep.latency.average.toFixed(2)} ms (p99 ${deep.latency.p99} ms); ` +
      `latency ratio ${(deep.latency.average / first.latency.average).toFixed(3)}`,
  );
}
const ratio = summary(ratios);
console.log(
  `deep / first page mean latency over ${ROUNDS} rounds: min ${ratio.min.toFixed(3)}, median ${ratio.median.toFixed(3)}, max ${ratio.max.toFixed(3)} (target ≤ 1.5)`,
);
// An answer that is not a success makes the figures meaningless: the run fails, after cleaning up.
if (notOk > 0) process.exitCode = 1;
report({
  row: '7',
  scenario: `signed GET /rooms, page of ${PAGE} at a depth of ${DEPTH.toLocaleString('en')} of ${ROOMS.toLocaleString('en')} rooms, ${CONNECTIONS} connections`,
  comparedWith: 'the first page of the same listing',
  figures: [
    { label: 'first page', unit: 'req/s', ...summary(sides.first.rates) },
    { label: `page at depth ${DEPTH.toLocaleString('en')}`, unit: 'req/s', ...summary(sides.deep.rates) },
    { label: 'first page, mean latency', unit: 'ms', ...summary(sides.first.latencies) },
    { label: `page at depth ${DEPTH.toLocaleString('en')}, mean latency`, unit: 'ms', ...summary(sides.deep.latencies) },
  ],
  ratio: { label: 'deep / first page mean latency', ...ratio },
  target: target('≤ 1.5', ratio.median, { atMost: 1.5 }),
  note:
    `usher serve on SQLite (request log on), ${ROOMS.toLocaleString('en')} rooms of one participant each, filled through the service at NORMAL before the server started; ` +
    `the deep page's continuation token was found by following nextLink (pages of ${WALK_PAGE}), and both pages are fetched at the default page size (${PAGE}).` +
    (QUICK ? ' Quick mode: 10,000 rooms instead of 100,000.' : ''),
});
server.child.kill('SIGTERM');
await new Promise((resolve) => setTimeout(resolve, 300));
rmSync(directory, { recursive: true, force: true });
