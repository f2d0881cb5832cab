// Signed GET /rooms/{id} over HTTP against `usher serve` (its own process, SQLite), beside the floor: bare
// node:http answering the same JSON body, also in its own process. autocannon drives both from this
// process, 50 connections, alternating rounds; ratios reported (issue 12, row 4: target ≥ 0.6).
// USHER_BENCH_SECONDS sets the length of a round (default 5), USHER_BENCH_ROUNDS their number (default 3);
// USHER_BENCH_PROFILE=<dir> writes a CPU profile of the Usher server there; USHER_BENCH_SERVE_ARGS adds flags to usher serve.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signRequest } from '../packages/http-adapter/dist/index.js';
import { startNode, startUsher } from './processes.mjs';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.USHER_BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.USHER_BENCH_ROUNDS ?? 3);
const directory = mkdtempSync(join(tmpdir(), 'usher-bench-reads-'));

const { child: usherChild, endpoint, key } = await startUsher(join(directory, 'reads.db'));
const signed = (method, path, body) => signRequest({ method, url: new URL(path, endpoint), body, date: new Date() }, key);
const created = await fetch(new URL('/rooms?api-version=2025-03-13', endpoint), {
  method: 'POST',
  body: '{"participants":{"8:acs:bench_reader":{"role":"Presenter"}}}',
  headers: {
    ...signed('POST', '/rooms?api-version=2025-03-13', '{"participants":{"8:acs:bench_reader":{"role":"Presenter"}}}'),
    'content-type': 'application/json',
  },
});
const roomJson = await created.text();
const room = JSON.parse(roomJson);
const path = `/rooms/${room.id}?api-version=2025-03-13`;

// The floor answers what Usher answers, with nothing in between.
const bare = await startNode(
  [
    '-e',
    `const body = ${JSON.stringify(roomJson)};
     const server = require('node:http').createServer((request, response) => {
       response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
       response.end(body);
     });
     server.listen(0, '127.0.0.1', () => console.log('listening on ' + server.address().port));`,
  ],
  /listening on (\d+)/,
);
const bareUrl = `http://127.0.0.1:${bare.match[1]}`;

function round(url, headers) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests: [{ method: 'GET', path, headers }] }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

const ratios = [];
for (let r = 1; r <= ROUNDS; r += 1) {
  // Signed once per round: the signature's date is good for 15 minutes, and a GET may be sent again.
  const usherRound = await round(endpoint, signed('GET', path, ''));
  const bareRound = await round(bareUrl, {});
  const failed = usherRound.non2xx + usherRound.errors;
  const ratio = usherRound.requests.average / bareRound.requests.average;
  ratios.push(ratio);
  console.log(
    `round ${r}: signed GET /rooms/{id} through Usher ${usherRound.requests.average.toFixed(0)} req/s (p99 ${usherRound.latency.p99} ms, ${failed} not 2xx); ` +
      `bare node:http ${bareRound.requests.average.toFixed(0)} req/s; ratio ${ratio.toFixed(2)}`,
  );
}
const sorted = [...ratios].sort((a, b) => a - b);
console.log(
  `signed GET / bare node:http over ${ROUNDS} rounds: min ${sorted[0]?.toFixed(2)}, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)}, max ${sorted[sorted.length - 1]?.toFixed(2)} (target ≥ 0.6)`,
);
usherChild.kill('SIGTERM');
bare.child.kill('SIGTERM');
await new Promise((resolve) => setTimeout(resolve, 300));
rmSync(directory, { recursive: true, force: true });
