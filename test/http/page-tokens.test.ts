import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_B, startServer, type TestServer } from './server.js';

interface Listing {
  value: { id?: string; rawId?: string; version?: number; createdAt?: string }[];
  nextLink?: string;
}

describe('page tokens', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  const json = { 'content-type': 'application/json' };
  const list = async (path: string, key?: string) => {
    const response = await server.signed('GET', path, { key });
    return { status: response.status, body: (await response.json()) as Listing };
  };
  const tokenOf = (listing: Listing) => new URL(listing.nextLink ?? 'http://x/').searchParams.get('nextLink') ?? '';
  const decoded = (token: string) => Buffer.from(token, 'base64url').toString('utf8');

  it('carry only what the tenant can see: its room’s creation time and id, its room’s versions', async () => {
    const mine = (await (await server.signed('POST', '/rooms?api-version=2025-03-13', { body: '{}', headers: json })).json()) as { id: string };
    // Another tenant writes a lot in between: nothing of it may show in this tenant's tokens.
    for (let n = 0; n < 15; n += 1) {
      await server.signed('POST', '/rooms?api-version=2025-03-13', { key: KEY_B, body: '{"participants":{"8:acs:b_1":{}}}', headers: json });
    }
    await server.signed('POST', '/rooms?api-version=2025-03-13', { body: '{}', headers: json });
    const page = await list('/rooms?api-version=2025-03-13&maxpagesize=1');
    const newest = page.body.value[0];
    expect(decoded(tokenOf(page.body))).toBe(`rooms:${new Date(newest?.createdAt ?? '').toISOString()},${newest?.id}`);

    await server.signed('PATCH', `/rooms/${mine.id}/participants?api-version=2025-03-13`, {
      body: '{"participants":{"8:acs:a_1":{},"8:acs:a_2":{}}}',
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    const roster = await list(`/rooms/${mine.id}/participants?api-version=2025-03-13&maxpagesize=1`);
    expect(decoded(tokenOf(roster.body))).toBe('roster:2');
    const history = await list(`/rooms/${mine.id}/history?api-version=2025-03-13&maxpagesize=2`);
    expect(decoded(tokenOf(history.body))).toBe('history:2');
  });

  it('are refused by another listing, and past the end of a room answer 200 with nothing', async () => {
    const room = (await (await server.signed('POST', '/rooms?api-version=2025-03-13', { body: '{}', headers: json })).json()) as { id: string };
    const rooms = await list('/rooms?api-version=2025-03-13&maxpagesize=1');
    const roomsToken = tokenOf(rooms.body);
    expect((await list(`/rooms/${room.id}/history?api-version=2025-03-13&nextLink=${roomsToken}`)).status).toBe(400);
    expect((await list(`/rooms/${room.id}/participants?api-version=2025-03-13&nextLink=${roomsToken}`)).status).toBe(400);
    const last = Buffer.from('history:2147483647').toString('base64url');
    expect(await list(`/rooms/${room.id}/history?api-version=2025-03-13&maxpagesize=1&nextLink=${last}`)).toEqual({
      status: 200,
      body: { value: [] },
    });
    const beyond = Buffer.from('history:2147483648').toString('base64url');
    expect((await list(`/rooms/${room.id}/history?api-version=2025-03-13&nextLink=${beyond}`)).status).toBe(400);
  });

  it('do not make a missing room, or another tenant’s, look present', async () => {
    const room = (await (await server.signed('POST', '/rooms?api-version=2025-03-13', { body: '{}', headers: json })).json()) as { id: string };
    const token = Buffer.from('history:1').toString('base64url');
    expect((await list(`/rooms/${room.id}/history?api-version=2025-03-13&nextLink=${token}`)).status).toBe(200);
    expect((await list(`/rooms/${room.id}/history?api-version=2025-03-13&nextLink=${token}`, KEY_B)).status).toBe(404);
    expect((await list(`/rooms/99000000000000000/history?api-version=2025-03-13&nextLink=${token}`)).status).toBe(404);
    const rosterToken = Buffer.from('roster:1').toString('base64url');
    expect((await list(`/rooms/99000000000000000/participants?api-version=2025-03-13&nextLink=${rosterToken}`)).status).toBe(404);
  });
});
