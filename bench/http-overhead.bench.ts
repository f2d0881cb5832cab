import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bench, describe } from 'vitest';
import { startServer } from '../test/http/server.js';

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The floor: node:http answering the same JSON with nothing in between. */
const bare = await listen((_request, response) => {
  const body = JSON.stringify({ status: 'ok' });
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});

const usher = await startServer();
const created = await usher.signed('POST', '/rooms?api-version=2025-03-13', {
  body: '{"participants":{}}',
  headers: { 'content-type': 'application/json' },
});
const roomId = ((await created.json()) as { id: string }).id;

describe('HTTP layer overhead (sequential requests over keep-alive on loopback)', () => {
  bench('bare node:http, GET /healthz', async () => {
    await (await fetch(`${bare}/healthz`)).text();
  });
  bench('usher handler (Hono + node-server listener), GET /healthz', async () => {
    await (await fetch(new URL('/healthz', usher.endpoint))).text();
  });
  bench('usher, signed GET /rooms/{id} (HMAC check + SQLite read)', async () => {
    await (await usher.signed('GET', `/rooms/${roomId}?api-version=2025-03-13`)).text();
  });
});
