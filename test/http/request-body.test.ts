import { request as httpRequest } from 'node:http';
import { createRoomService, parseTenantId } from '@usher/core';
import { randomIds, systemClock } from '@usher/core/runtime';
import { createHttpHandler, signRequest } from '@usher/http-adapter';
import { createMemoryStore } from '@usher/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_A, startServer, type TestServer } from './server.js';

const LIMIT = 2048;
const VERSION = 'api-version=2025-03-13';

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A signed request through node:http, so that the test chooses between a declared length and chunks. */
function send(server: TestServer, method: string, path: string, chunks: readonly Buffer[], framing: 'length' | 'chunked'): Promise<Answer> {
  const url = new URL(path, server.endpoint);
  const whole = Buffer.concat(chunks);
  const auth = signRequest({ method, url, body: whole.toString('latin1'), date: new Date() }, KEY_A);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, {
      method,
      headers: {
        ...auth,
        'content-type': 'application/json',
        ...(framing === 'length' ? { 'content-length': String(whole.byteLength) } : { 'transfer-encoding': 'chunked' }),
      },
    });
    outgoing.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    // The server may answer 413 and stop reading before the client is done writing.
    outgoing.on('error', reject);
    for (const chunk of chunks) outgoing.write(chunk);
    outgoing.end();
  });
}

describe('request bodies over HTTP', () => {
  let server: TestServer;
  let room: string;
  beforeAll(async () => {
    server = await startServer({ maxBodyBytes: LIMIT });
    const created = await server.signed('POST', `/rooms?${VERSION}`, { body: '{}', headers: { 'content-type': 'application/json' } });
    room = ((await created.json()) as { id: string }).id;
  });
  afterAll(() => server.close());

  const participants = (count: number) =>
    JSON.stringify({ participants: Object.fromEntries(Array.from({ length: count }, (_, n) => [`8:acs:body_${n}`, { role: 'Attendee' }])) });

  it('reads a body sent in chunks, with no declared length', async () => {
    const body = Buffer.from(participants(3));
    const chunks = [body.subarray(0, 10), body.subarray(10, 40), body.subarray(40)];
    const answer = await send(server, 'PATCH', `/rooms/${room}/participants?${VERSION}`, chunks, 'chunked');
    expect(answer.status).toBe(200);
    const roster = await server.signed('GET', `/rooms/${room}/participants?${VERSION}`);
    expect(JSON.stringify(await roster.json())).toContain('8:acs:body_2');
  });

  it('refuses a declared length over the limit with 413, before reading it', async () => {
    const answer = await send(server, 'PATCH', `/rooms/${room}/participants?${VERSION}`, [Buffer.from(participants(100))], 'length');
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'RequestEntityTooLarge', message: `The request body is larger than ${LIMIT} bytes.` },
    });
  });

  it('refuses a chunked body once it passes the limit, and goes on serving', async () => {
    const body = Buffer.from(participants(100));
    const chunks = Array.from({ length: Math.ceil(body.byteLength / 500) }, (_, n) => body.subarray(n * 500, (n + 1) * 500));
    const answer = await send(server, 'PATCH', `/rooms/${room}/participants?${VERSION}`, chunks, 'chunked');
    expect(answer.status).toBe(413);
    expect(answer.body).toContain(`larger than ${LIMIT} bytes`);
    const roster = await server.signed('GET', `/rooms/${room}/participants?${VERSION}`);
    expect(roster.status).toBe(200);
    // Only the three of the first test: nothing of the refused bodies was applied.
    expect(((await roster.json()) as { value: unknown[] }).value).toHaveLength(3);
  });

  it('refuses a body that is not UTF-8 with 400, whatever its framing', async () => {
    const invalid = [Buffer.from('{"participants":{"8:acs:'), Buffer.from([0xc3, 0x28]), Buffer.from('":{}}}')];
    for (const framing of ['length', 'chunked'] as const) {
      const answer = await send(server, 'PATCH', `/rooms/${room}/participants?${VERSION}`, invalid, framing);
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('The request body is not valid UTF-8.');
    }
  });
});

describe('request bodies through the web fetch handler', () => {
  const tenantId = parseTenantId('tenant-a')._unsafeUnwrap();
  const store = createMemoryStore();
  const handler = createHttpHandler({
    service: createRoomService({ store, clock: systemClock, ids: randomIds() }),
    clock: systemClock,
    keys: [{ tenantId, key: KEY_A }],
    maxBodyBytes: LIMIT,
  });
  const call = (body: string | ReadableStream<Uint8Array>, text: string) => {
    const url = new URL(`http://usher.test/rooms?${VERSION}`);
    const headers = { ...signRequest({ method: 'POST', url, body: text, date: new Date() }, KEY_A), 'content-type': 'application/json' };
    return handler.fetch(new Request(url, { method: 'POST', body, headers, duplex: 'half' } as RequestInit));
  };

  it('reads a streamed body, and refuses one over the limit', async () => {
    const small = '{}';
    const stream = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < text.length; at += 100) controller.enqueue(new TextEncoder().encode(text.slice(at, at + 100)));
          controller.close();
        },
      });
    expect((await call(stream(small), small)).status).toBe(201);
    const large = JSON.stringify({ participants: {}, padding: 'x'.repeat(LIMIT) });
    const refused = await call(stream(large), large);
    expect(refused.status).toBe(413);
    expect(await refused.text()).toContain(`larger than ${LIMIT} bytes`);
  });
});
