import { RoomsClient } from '@azure/communication-rooms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_B, startServer, type TestServer } from './server.js';

describe('audit endpoints', () => {
  let server: TestServer;
  let client: RoomsClient;
  beforeAll(async () => {
    server = await startServer();
    client = new RoomsClient(server.connectionString(), { allowInsecureConnection: true });
  });
  afterAll(() => server.close());

  const get = async (path: string, key?: string) => {
    const response = await server.signed('GET', path, { key });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('pages through a room’s history and answers its state at an instant', async () => {
    const room = await client.createRoom({ participants: [{ id: { communicationUserId: '8:acs:a_1' }, role: 'Presenter' }] });
    await client.addOrUpdateParticipants(room.id, [{ id: { communicationUserId: '8:acs:a_2' }, role: 'Attendee' }]);
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await client.addOrUpdateParticipants(room.id, [{ id: { communicationUserId: '8:acs:a_1' }, role: 'Consumer' }]);

    const entries: { version: number; description: string }[] = [];
    let path: string | null = `/rooms/${room.id}/history?api-version=2025-03-13&maxpagesize=2`;
    let pages = 0;
    while (path !== null) {
      const page = await get(path);
      expect(page.status).toBe(200);
      entries.push(...(page.body.value as { version: number; description: string }[]));
      const next = page.body.nextLink as string | undefined;
      path = next === undefined ? null : new URL(next).pathname + new URL(next).search;
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(entries.map((entry) => entry.version)).toEqual([1, 2, 3, 4]);
    expect(entries[3]?.description).toBe('8:acs:a_1 changed from Presenter to Consumer');

    const then = await get(`/rooms/${room.id}/state?api-version=2025-03-13&at=${encodeURIComponent(between.toISOString())}`);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ version: 3, status: 'active', room: { roster: { '8:acs:a_1': 'Presenter', '8:acs:a_2': 'Attendee' } } });
    const now = await get(`/rooms/${room.id}/state?api-version=2025-03-13`);
    expect(now.body).toMatchObject({ version: 4, room: { roster: { '8:acs:a_1': 'Consumer' } } });
    const before = await get(`/rooms/${room.id}/state?api-version=2025-03-13&at=2020-01-01T00:00:00Z`);
    expect(before.body).toMatchObject({ version: 0, status: 'absent' });
  });

  it('keeps history to its tenant and refuses bad input', async () => {
    const room = await client.createRoom();
    expect((await get(`/rooms/${room.id}/history?api-version=2025-03-13`, KEY_B)).status).toBe(404);
    expect((await get(`/rooms/${room.id}/state?api-version=2025-03-13`, KEY_B)).status).toBe(404);
    expect((await get(`/rooms/${room.id}/state?api-version=2025-03-13&at=yesterday`)).status).toBe(400);
    expect((await get(`/rooms/${room.id}/history?api-version=2025-03-13&nextLink=bogus`)).status).toBe(400);
    expect((await fetch(new URL(`/rooms/${room.id}/history?api-version=2025-03-13`, server.endpoint))).status).toBe(401);
  });
});
