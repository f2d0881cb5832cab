// Signed participant PATCHes over HTTP against `usher serve` (its own process, SQLite at FULL, the
// default), driven by autocannon from this process, beside the raw ceiling: one one-row insert per
// BEGIN IMMEDIATE transaction at FULL, in this process. Where the time goes is measured in the same
// run: the same PATCHes against a second `usher serve --synchronous NORMAL` (no commit waits for the
// disk) and against Hono alone answering them (the HTTP stack's own floor), each in its own process.
// Alternating rounds; ratios reported. Row 5 of BENCHMARKS.md (needs a build).
// USHER_BENCH_SECONDS sets the length of a round (default 5), USHER_BENCH_ROUNDS their number (default 5);
// USHER_BENCH_PROFILE=<dir> writes CPU profiles of the Usher servers there; USHER_BENCH_SERVE_ARGS adds flags to usher serve.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signRequest } from '../packages/http-adapter/dist/index.js';
import { rawInsertCeiling } from './ceilings.mjs';
import { cpuMicros, startNode, startUsher } from './processes.mjs';
import { report, roundsOf, summary, target } from './report.mjs';

const ROOMS = 100;
const CONNECTIONS = 50;
const { rounds: ROUNDS, seconds: SECONDS } = roundsOf({ rounds: 5, seconds: 5 });
const directory = mkdtempSync(join(tmpdir(), 'usher-bench-http-'));

/** A server under test: its process, where it listens, its key, and the rooms the PATCHes go to. */
async function usherServer(name, args) {
  const started = await startUsher(join(directory, `${name}.db`), args);
  const server = { name, pid: started.child.pid, child: started.child, endpoint: started.endpoint, key: started.key, rooms: [] };
  for (let n = 0; n < ROOMS; n += 1) {
    const path = '/rooms?api-version=2025-03-13';
    const body = '{"participants":{}}';
    const response = await fetch(new URL(path, server.endpoint), { method: 'POST', body, headers: signedHeaders(server, 'POST', path, body) });
    server.rooms.push((await response.json()).id);
  }
  return server;
}

function signedHeaders(server, method, path, body) {
  const headers = signRequest({ method, url: new URL(path, server.endpoint), body, date: new Date() }, server.key);
  return { ...headers, 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' };
}

const full = await usherServer('full', []);
const normal = await usherServer('normal', ['--synchronous', 'NORMAL']);
// The HTTP stack's floor: Hono on @hono/node-server, as Usher runs it, reading the same PATCH's JSON body and answering `{}`.
const honoProcess = await startNode(
  [
    '-e',
    `const { Hono } = require('hono');
     const { serve } = require('@hono/node-server');
     const app = new Hono();
     app.patch('/rooms/:roomId/participants', async (c) => {
       JSON.parse(await c.req.text());
       return c.json({}, 200);
     });
     serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log('listening on ' + info.port));`,
  ],
  /listening on (\d+)/,
);
const hono = {
  name: 'hono',
  pid: honoProcess.child.pid,
  child: honoProcess.child,
  endpoint: `http://127.0.0.1:${honoProcess.match[1]}/`,
  key: null,
  rooms: full.rooms,
};

/**
 * Every request of a round signed before the round starts: signing (a SHA-256 and an HMAC) in the load
 * tool's single thread would otherwise cap what it can send, and the benchmark would measure the client.
 */
let added = 0;
function preparedRequests(server, count) {
  return Array.from({ length: count }, () => {
    added += 1;
    const path = `/rooms/${server.rooms[added % ROOMS]}/participants?api-version=2025-03-13`;
    const body = JSON.stringify({ participants: { [`8:acs:bench_${added}`]: { role: 'Attendee' } } });
    const headers = server.key === null ? { 'content-type': 'application/merge-patch+json' } : signedHeaders(server, 'PATCH', path, body);
    return { method: 'PATCH', path, body, headers };
  });
}

/** One round against one server: requests per second, p99, failures, and the server's and the load tool's CPU. */
async function httpRound(server) {
  const prepared = preparedRequests(server, SECONDS * 20_000);
  let next = 0;
  const serverBefore = cpuMicros(server.pid);
  const toolBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await new Promise((resolve, reject) => {
    autocannon(
      {
        url: server.endpoint,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [
          {
            method: 'PATCH',
            setupRequest: (request) => {
              const ready = prepared[next % prepared.length];
              next += 1;
              return { ...request, ...ready };
            },
          },
        ],
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
  });
  const wallMicros = (performance.now() - startedAt) * 1000;
  const serverAfter = cpuMicros(server.pid);
  const tool = process.cpuUsage(toolBefore);
  const serverMicros = serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore;
  return {
    perSecond: result.requests.average,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
    cpuPerRequest: serverMicros === null ? null : serverMicros / Math.max(1, result.requests.total),
    serverBusy: serverMicros === null ? null : serverMicros / wallMicros,
    toolBusy: (tool.user + tool.system) / wallMicros,
  };
}

const raw = rawInsertCeiling(join(directory, 'raw.db'), 'FULL', ROOMS);

const sides = { full: [], normal: [], hono: [] };
const ceilings = [];
let notOk = 0;
for (let round = 1; round <= ROUNDS; round += 1) {
  const order = round % 2 === 1 ? [full, normal, hono] : [hono, normal, full];
  const measured = {};
  for (const server of order) measured[server.name] = await httpRound(server);
  const ceiling = raw.round(SECONDS);
  for (const name of Object.keys(sides)) sides[name].push(measured[name]);
  ceilings.push(ceiling);
  notOk += measured.full.failed + measured.normal.failed + measured.hono.failed;
  const cpu = (side) => (side.cpuPerRequest === null ? '?' : side.cpuPerRequest.toFixed(0));
  const busy = (share) => (share === null ? '?' : (share * 100).toFixed(0));
  console.log(
    `round ${round}: signed PATCH over HTTP, ${CONNECTIONS} connections, ${ROOMS} rooms: ${measured.full.perSecond.toFixed(0)} req/s at FULL (p99 ${measured.full.p99} ms, ${measured.full.failed} not 2xx; ` +
      `server CPU ${cpu(measured.full)} µs a request, busy ${busy(measured.full.serverBusy)}%; load tool busy ${busy(measured.full.toolBusy)}%), ` +
      `${measured.normal.perSecond.toFixed(0)} at NORMAL (${cpu(measured.normal)} µs), Hono alone ${measured.hono.perSecond.toFixed(0)} (${cpu(measured.hono)} µs); ` +
      `raw one-insert-per-transaction ceiling at FULL: ${ceiling.toFixed(0)}/s; ratio ${(measured.full.perSecond / ceiling).toFixed(2)}`,
  );
}
/** A ratio taken round by round. */
const perRound = (ratioOf) => ceilings.map((ceiling, index) => ratioOf(sides.full[index], sides.normal[index], ceiling));
const ratios = perRound((full, _normal, ceiling) => full.perSecond / ceiling);
const normalRatios = perRound((_full, normal, ceiling) => normal.perSecond / ceiling);
const syncShares = perRound((full, normal) => full.perSecond / normal.perSecond);
const ratio = summary(ratios);
console.log(
  `HTTP PATCH / raw FULL ceiling over ${ROUNDS} rounds: min ${ratio.min.toFixed(2)}, median ${ratio.median.toFixed(2)}, max ${ratio.max.toFixed(2)} (target ≥ 1); ` +
    `at FULL / at NORMAL: median ${summary(syncShares).median.toFixed(2)}`,
);
// An answer that is not a success makes the figures meaningless: the run fails, after cleaning up.
if (notOk > 0) process.exitCode = 1;

const medianPercent = (shares) => (shares.length === 0 ? 'an unknown share' : `${(summary(shares).median * 100).toFixed(0)}%`);
const percentMore = (fullOverNormal) => (fullOverNormal >= 1 ? 'no more' : `${((1 / fullOverNormal - 1) * 100).toFixed(0)}% more`);
const micros = (values) => (values.length === 0 ? 'an unknown number of µs (no /proc)' : `~${summary(values).median.toFixed(0)} µs`);
const of = (name, field) => sides[name].map((side) => side[field]).filter((value) => value !== null);
const cpuFigures =
  of('full', 'cpuPerRequest').length === 0
    ? []
    : [
        { label: 'server CPU per request (user + system), Usher at FULL', unit: 'µs', ...summary(of('full', 'cpuPerRequest')) },
        { label: 'server CPU per request, Usher at NORMAL', unit: 'µs', ...summary(of('normal', 'cpuPerRequest')) },
        { label: 'server CPU per request, Hono alone', unit: 'µs', ...summary(of('hono', 'cpuPerRequest')) },
        { label: 'server CPU busy, share of the round, Usher at FULL', unit: '%', ...summary(of('full', 'serverBusy').map((share) => share * 100)) },
      ];
report({
  row: '5',
  scenario: `signed PATCH …/participants (one participant each), ${CONNECTIONS} connections, ${ROOMS} rooms, FULL`,
  comparedWith:
    'raw better-sqlite3 one-row insert per BEGIN IMMEDIATE transaction at FULL (row 1’s ceiling), in the benchmark process; for where the time goes, the same PATCHes against usher serve --synchronous NORMAL and against Hono alone, each in its own process',
  figures: [
    { label: 'Usher (usher serve, SQLite FULL, group commit, request log on)', unit: 'req/s', ...summary(of('full', 'perSecond')) },
    { label: 'raw FULL ceiling', unit: 'rows/s', ...summary(ceilings) },
    {
      label: 'Usher at NORMAL (usher serve --synchronous NORMAL: no commit waits for the disk)',
      unit: 'req/s',
      ...summary(of('normal', 'perSecond')),
    },
    { label: 'Hono alone on @hono/node-server, reading the same PATCH body and answering {}', unit: 'req/s', ...summary(of('hono', 'perSecond')) },
    ...cpuFigures,
    {
      label: 'load tool (autocannon, this process) CPU busy, share of the round',
      unit: '%',
      ...summary(of('full', 'toolBusy').map((share) => share * 100)),
    },
  ],
  ratio: { label: 'Usher / raw FULL ceiling', ...ratio },
  target: target('≥ 1.0', ratio.median, { atLeast: 1 }),
  syncRatio: { label: 'for where the time goes: Usher at FULL / Usher at NORMAL', ...summary(syncShares) },
  normalRatio: { label: 'for where the time goes: Usher at NORMAL / raw FULL ceiling', ...summary(normalRatios) },
  note: [
    'Requests are signed before each round, so that the load tool measures the server rather than its own hashing.',
    'How FULL keeps up: group commit makes one sync serve a whole group, and the store runs that sync on libuv’s thread pool while the JavaScript thread decides and commits the next group (a commit made alone syncs in place); no caller is answered, and no read returns a commit, before it is on disk.',
    `Where the time goes, measured in this run: a server that never waits for the disk (NORMAL) answers ${percentMore(summary(syncShares).median)} PATCHes than the one at FULL (median of FULL / NORMAL above).`,
    `The rest is CPU, mostly in the server’s one JavaScript thread (at FULL the server process used ${medianPercent(of('full', 'serverBusy'))} of a core over the round, GC, pool and I/O threads included; the load tool ${medianPercent(of('full', 'toolBusy'))}): a signed PATCH costs Usher ${micros(of('normal', 'cpuPerRequest'))} of CPU at NORMAL (at FULL the syncs’ kernel time counts too), of which the HTTP stack itself (Hono alone, reading the same request and answering {}) is ${micros(of('hono', 'cpuPerRequest'))}.`,
    'A CPU profile of the FULL server (USHER_BENCH_PROFILE, 2026-11-26, after the syncs moved to the pool and the request log to 4 KB writes) split its busy time: SQLite group commit ~34% (the transaction’s native work, with the WAL writes and the checkpoints SQLite runs inside commits, ~31%; the projection’s statements ~3%),',
    'HTTP parsing, routing and writing the answer ~15%, the gate ~11% (authentication ~7%: the HMAC, the body hash, the headers), GC ~8%, the decision ~5%, the request log ~4%, the JSON body ~4%, the hash chain ~2%.',
    `The target holds while the server spends less CPU in that thread on a request than the raw ceiling’s interval (${(1e6 / summary(ceilings).median).toFixed(0)} µs in this run); beyond that, the next step is a second core: the SQLite transaction in a thread of its own.`,
    'The ratio moves with the disk far more than Usher does: the raw FULL ceiling is one sync per row, and it has ranged from ~1,500 to ~13,700/s on this machine on different days and within one run.',
  ].join(' '),
});
for (const server of [full, normal, hono]) server.child.kill('SIGTERM');
raw.close();
await new Promise((resolve) => setTimeout(resolve, 300));
rmSync(directory, { recursive: true, force: true });
