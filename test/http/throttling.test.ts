import { join } from 'node:path';
import { RoomsClient } from '@azure/communication-rooms';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/stores.js';
import { type StartedProcess, signedFetch, startUsher } from '../support/usher-process.js';

describe('throttling (usher serve --rate-limit)', () => {
  const directory = temporaryDirectory('throttling');
  let server: StartedProcess | undefined;
  afterAll(() => {
    server?.signal('SIGKILL');
    directory.remove();
  });

  it('answers a burst over the limit with 429 and Retry-After, writes nothing for it, and the SDK retrying gets through', async () => {
    server = await startUsher(['--db', join(directory.path, 'throttled.db'), '--rate-limit', '5']);
    const { endpoint, key } = server;
    const burst = await Promise.all(Array.from({ length: 20 }, () => signedFetch(endpoint, key, 'POST', '/rooms?api-version=2025-03-13', '{}')));
    const statuses = burst.map((answer) => answer.status);
    const created = statuses.filter((status) => status === 201).length;
    const throttled = burst.filter((answer) => answer.status === 429);
    expect(created).toBeGreaterThanOrEqual(5);
    expect(created + throttled.length).toBe(20);
    expect(throttled.length).toBeGreaterThanOrEqual(10);
    const [first] = throttled;
    if (first === undefined) throw new Error('nothing was throttled');
    expect(first.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(first.headers.get('x-ms-error-code')).toBe('TooManyRequests');
    expect(((await first.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'TooManyRequests',
      message: expect.stringMatching(/Too many requests from this access key; retry after \d+ s\./),
    });

    // Only the rooms whose creation was answered 201 exist: a throttled request changed nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const rooms = new RoomsClient(`endpoint=${endpoint};accesskey=${key}`, { allowInsecureConnection: true });
    let listed = 0;
    for await (const _room of rooms.listRooms()) listed += 1;
    expect(listed).toBe(created);

    // The SDK's retry policy waits as Retry-After says: a run of creates over the limit all succeed.
    const ids: string[] = [];
    for (let n = 0; n < 12; n += 1) ids.push((await rooms.createRoom()).id);
    expect(new Set(ids).size).toBe(12);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    let after = 0;
    for await (const _room of rooms.listRooms()) after += 1;
    expect(after).toBe(created + 12);
  });
});
