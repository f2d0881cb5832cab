import { Validator } from '@seriousme/openapi-schema-validator';
import { contentHash, signRequest } from '@usher/http-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_A, KEY_B, startServer, type TestServer } from './server.js';

const WRONG_KEY = Buffer.alloc(32, 1).toString('base64');

describe('HMAC authentication', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  const path = '/rooms?api-version=2025-03-13';
  async function expectDenied(response: Response, message: RegExp | string) {
    expect(response.status).toBe(401);
    expect(response.headers.get('x-ms-error-code')).toBe('Denied');
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('Denied');
    if (typeof message === 'string') expect(body.error.message).toBe(message);
    else expect(body.error.message).toMatch(message);
  }

  it('accepts a correctly signed request', async () => {
    expect((await server.signed('GET', path)).status).toBe(200);
  });

  it('refuses a request without Authorization', async () => {
    await expectDenied(await fetch(new URL(path, server.endpoint)), 'The Authorization header is missing.');
  });

  it('refuses a malformed Authorization header', async () => {
    const url = new URL(path, server.endpoint);
    const headers = signRequest({ method: 'GET', url, body: '', date: new Date() }, KEY_A);
    for (const authorization of ['HMAC-SHA256 Signature=abc', `${headers.authorization} extra`]) {
      await expectDenied(await fetch(url, { headers: { ...headers, authorization } }), /Authorization header is not/);
    }
    // A user's token is for the call API only; the rooms API says so rather than trying it.
    await expectDenied(await fetch(url, { headers: { ...headers, authorization: 'Bearer abc' } }), /User access tokens are for the call API/);
  });

  it('refuses a signature made with another key', async () => {
    await expectDenied(await server.signed('GET', path, { key: WRONG_KEY }), 'The request signature does not match any access key.');
  });

  it('accepts a date up to 15 minutes behind the server clock (SDK retries re-send it) and up to 5 minutes ahead', async () => {
    expect((await server.signed('GET', path, { date: new Date(Date.now() - 14 * 60_000) })).status).toBe(200);
    expect((await server.signed('GET', path, { date: new Date(Date.now() + 4 * 60_000) })).status).toBe(200);
    await expectDenied(await server.signed('GET', path, { date: new Date(Date.now() - 16 * 60_000) }), /more than 15 minutes behind the server time/);
    await expectDenied(await server.signed('GET', path, { date: new Date(Date.now() + 6 * 60_000) }), /more than 5 minutes ahead of the server time/);
  });

  it('with a public URL, counts a signature only for that host, whatever the Host header says', async () => {
    const behindProxy = await startServer({ publicUrl: 'https://rooms.example.com/' });
    try {
      expect((await behindProxy.signed('GET', path, { signedFor: 'https://rooms.example.com/' })).status).toBe(200);
      await expectDenied(await behindProxy.signed('GET', path), 'The request signature does not match any access key for host rooms.example.com.');
      await expectDenied(
        await behindProxy.signed('GET', path, { signedFor: 'https://evil.example.com/' }),
        'The request signature does not match any access key for host rooms.example.com.',
      );
    } finally {
      await behindProxy.close();
    }
  });

  it('refuses a body that does not match its signed hash', async () => {
    const url = new URL('/rooms?api-version=2025-03-13', server.endpoint);
    const headers = signRequest({ method: 'POST', url, body: '{"participants":{}}', date: new Date() }, KEY_A);
    const tampered = await fetch(url, {
      method: 'POST',
      body: '{"participants":{},"pstnDialOutEnabled":true}',
      headers: { ...headers, 'content-type': 'application/json' },
    });
    await expectDenied(tampered, "Request 'x-ms-content-sha256' differs from generated content hash.");
    const rehashed = await fetch(url, {
      method: 'POST',
      body: '{"pstnDialOutEnabled":true}',
      headers: { ...headers, 'content-type': 'application/json', 'x-ms-content-sha256': contentHash('{"pstnDialOutEnabled":true}') },
    });
    await expectDenied(rehashed, 'The request signature does not match any access key.');
  });

  it('refuses a signature for another path or method', async () => {
    const url = new URL(path, server.endpoint);
    const headers = signRequest({ method: 'GET', url: new URL('/rooms?api-version=2024-04-15', server.endpoint), body: '', date: new Date() }, KEY_A);
    await expectDenied(await fetch(url, { headers }), 'The request signature does not match any access key.');
    const asDelete = signRequest({ method: 'DELETE', url, body: '', date: new Date() }, KEY_A);
    await expectDenied(await fetch(url, { headers: asDelete }), 'The request signature does not match any access key.');
  });

  it('never lets one tenant see or change another tenant’s rooms', async () => {
    const created = await server.signed('POST', '/rooms?api-version=2025-03-13', { body: '{}', headers: { 'content-type': 'application/json' } });
    const room = (await created.json()) as { id: string };
    const asB = (method: string, suffix = '', body?: string) =>
      server.signed(method, `/rooms/${room.id}${suffix}?api-version=2025-03-13`, {
        key: KEY_B,
        body,
        headers: body === undefined ? {} : { 'content-type': 'application/merge-patch+json' },
      });
    expect((await asB('GET')).status).toBe(404);
    expect((await asB('PATCH', '', '{"pstnDialOutEnabled":true}')).status).toBe(404);
    expect((await asB('GET', '/participants')).status).toBe(404);
    expect((await asB('PATCH', '/participants', '{"participants":{"8:acs:x_1":{"role":"Presenter"}}}')).status).toBe(404);
    expect((await asB('DELETE')).status).toBe(404);
    const listB = (await (await server.signed('GET', '/rooms?api-version=2025-03-13', { key: KEY_B })).json()) as { value: { id: string }[] };
    expect(listB.value.map((r) => r.id)).not.toContain(room.id);
    const still = (await (await server.signed('GET', `/rooms/${room.id}?api-version=2025-03-13`)).json()) as { pstnDialOutEnabled: boolean };
    expect(still.pstnDialOutEnabled).toBe(false);
  });

  it('keeps /healthz, /openapi.json and the token keys open; the document has every route of the Rooms, call and Identity APIs', async () => {
    expect((await fetch(new URL('/healthz', server.endpoint))).status).toBe(200);
    const document = (await (await fetch(new URL('/openapi.json', server.endpoint))).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /rooms',
        'GET /rooms/{roomId}',
        'PATCH /rooms/{roomId}/participants',
        'GET /rooms/{roomId}/call',
        'POST /rooms/{roomId}/call/participants',
        'DELETE /rooms/{roomId}/call/participants/{rawId}',
        'POST /rooms/{roomId}/call/participants/{rawId}/mute',
        'PUT /rooms/{roomId}/call/screenShare',
        'DELETE /rooms/{roomId}/call/screenShare',
        'POST /rooms/{roomId}/call/dialOut',
        'POST /identities',
        'DELETE /identities/{id}',
        'POST /identities/{id}/:issueAccessToken',
        'POST /identities/{id}/:revokeAccessTokens',
        'GET /identities/{id}/tokens',
        'GET /.well-known/jwks.json',
      ]),
    );
    expect(await new Validator().validate(document as never)).toEqual({ valid: true });
  });
});
