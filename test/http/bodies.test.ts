import { MAX_JSON_DEPTH } from '@usher/http-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './server.js';

describe('request bodies nested without end', () => {
  let server: TestServer;
  let roomId = '';
  beforeAll(async () => {
    server = await startServer();
    const created = await server.signed('POST', '/rooms?api-version=2025-03-13', { body: '{}', headers: { 'content-type': 'application/json' } });
    roomId = ((await created.json()) as { id: string }).id;
  });
  afterAll(() => server.close());

  const send = async (method: string, path: string, body: string) => {
    const type = method === 'POST' ? 'application/json' : 'application/merge-patch+json';
    const response = await server.signed(method, `${path}?api-version=2025-03-13`, { body, headers: { 'content-type': type } });
    return { status: response.status, body: (await response.json()) as { error: { code: string; details?: { message: string }[] } } };
  };

  it.each([
    ['objects', (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`],
    ['arrays', (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`],
    ['an unclosed roster', (depth: number) => `{"participants":${'['.repeat(depth)}`],
  ])('answers 400 naming the depth, for %s 100,000 deep, on every route that reads a body', async (_, nest) => {
    for (const [method, path] of [
      ['POST', '/rooms'],
      ['PATCH', `/rooms/${roomId}`],
      ['PATCH', `/rooms/${roomId}/participants`],
    ] as const) {
      const answer = await send(method, path, nest(100_000));
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(answer.body.error.details?.[0]?.message).toBe(`The body nests deeper than ${MAX_JSON_DEPTH} levels.`);
    }
  });

  it('reads a body as deep as the limit, and refuses it for what it says', async () => {
    const atTheLimit = `{"participants":{"8:acs:r_1":${'{"role":'.repeat(MAX_JSON_DEPTH - 2)}"Presenter"${'}'.repeat(MAX_JSON_DEPTH - 2)}}}`;
    const answer = await send('PATCH', `/rooms/${roomId}/participants`, atTheLimit);
    expect(answer.status).toBe(400);
    expect(answer.body.error.details?.[0]?.message).not.toMatch(/nests deeper/);
    const tooDeep = `{"participants":{"8:acs:r_1":${'{"role":'.repeat(MAX_JSON_DEPTH - 1)}"Presenter"${'}'.repeat(MAX_JSON_DEPTH - 1)}}}`;
    expect((await send('PATCH', `/rooms/${roomId}/participants`, tooDeep)).body.error.details?.[0]?.message).toMatch(/nests deeper/);
    // Brackets inside strings are text, not nesting.
    const bracesInText = `{"participants":{"8:acs:r_1":{"role":"${'{['.repeat(1000)}\\"]}"}}}`;
    expect((await send('PATCH', `/rooms/${roomId}/participants`, bracesInText)).body.error.details?.[0]?.message).not.toMatch(/nests deeper/);
  });
});
