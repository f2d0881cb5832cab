import { join } from 'node:path';
import { createRoomService, type EventStore, type ReadRange, type StreamKey } from '@usher/core';
import { randomIds, systemClock } from '@usher/core/runtime';
import { createSqliteStore } from '@usher/store-sqlite';
import { ResultAsync } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { participant, tenant } from '../support/fixtures.js';
import { okValue } from '../support/results.js';
import { temporaryDirectory } from '../support/stores.js';
import { signedFetch, startUsher } from '../support/usher-process.js';
import { startServer, type TestServer } from './server.js';

const CHUNK = 1000;
const COMMANDS = 40;

/** The store, telling `onChunk` of every read of a replay chunk (CHUNK versions at a time), counted from the replay's first, before it is done. */
function observingReplays(store: EventStore, onChunk: (count: number) => Promise<void>): EventStore {
  let chunks = 0;
  const isChunk = (range: ReadRange | undefined) =>
    range?.fromVersion !== undefined && range.toVersion !== undefined && range.toVersion - range.fromVersion === CHUNK - 1;
  return {
    ...store,
    readStream: (stream, range) => {
      if (!isChunk(range)) return store.readStream(stream, range);
      chunks = range?.fromVersion === 1 ? 1 : chunks + 1;
      return ResultAsync.fromSafePromise(onChunk(chunks)).andThen(() => store.readStream(stream, range));
    },
  };
}

/**
 * The heaviest legal request is a replay of a long history: `GET /rooms/{id}/state` reads and folds
 * every event of the room. Neither a roster nor a request limit bounds a history, so it must share
 * the server with everyone else while it runs, and stop when its client goes away.
 */
describe('a heavy request does not hold the server', () => {
  const directory = temporaryDirectory('heavy');
  let onChunk: (count: number) => Promise<void> = async () => {};
  let server: TestServer;
  let room: StreamKey;
  let events = 0;

  beforeAll(async () => {
    const store = createSqliteStore({ path: join(directory.path, 'heavy.db'), synchronous: 'NORMAL' });
    const service = createRoomService({ store, clock: systemClock, ids: randomIds() });
    room = (await okValue(service.createRoom(tenant('tenant-a')))).stream;
    const everyone = Array.from({ length: CHUNK }, (_, n) => participant(n));
    for (let command = 0; command < COMMANDS; command += 1) {
      const role = command % 2 === 0 ? 'Attendee' : 'Consumer';
      await okValue(
        service.addParticipants(
          room,
          everyone.map((id) => ({ id, role })),
        ),
      );
    }
    events = (await okValue(store.readStream(room))).length;
    server = await startServer({ store: observingReplays(store, (count) => onChunk(count)) });
  }, 120_000);
  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  const statePath = () => `/rooms/${room.roomId}/state?api-version=2025-03-13`;

  it('answers /healthz and a small signed GET while a replay of a long history runs', async () => {
    expect(events).toBeGreaterThan(COMMANDS * CHUNK);
    const finished: string[] = [];
    let replayStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      replayStarted = resolve;
    });
    onChunk = async (count) => {
      if (count === 1) replayStarted();
    };
    const heavy = server.signed('GET', statePath()).then(async (response) => {
      finished.push('state');
      return { status: response.status, body: (await response.json()) as { version: number } };
    });
    await started;
    const health = fetch(new URL('/healthz', server.endpoint)).then((response) => {
      finished.push(`healthz@${Math.round(performance.now())}`);
      return response.status;
    });
    const small = server.signed('GET', `/rooms/${room.roomId}?api-version=2025-03-13`).then((response) => {
      finished.push('get room');
      return response.status;
    });
    expect(await Promise.all([health, small])).toEqual([200, 200]);
    expect(await heavy).toEqual({ status: 200, body: expect.objectContaining({ version: events }) });
    expect(finished).toHaveLength(3);
    expect(finished.at(-1)).toBe('state');
  });

  it('stops replaying once the client has gone away', async () => {
    const client = new AbortController();
    let chunks = 0;
    onChunk = async (count) => {
      chunks = count;
      if (count !== 2) return;
      // Hang up in the middle of the replay, and let the server see the connection close before the read goes on.
      client.abort();
      await server.connectionClosed(statePath());
      await new Promise((resolve) => setImmediate(resolve));
    };
    const abandoned = await server.signed('GET', statePath(), { signal: client.signal }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    expect(abandoned).toBe('AbortError');
    await server.connectionClosed(statePath());
    // A few round trips later, the replay has read no further chunk: it needs one per turn of the loop.
    for (let round = 0; round < 5; round += 1) expect((await fetch(new URL('/healthz', server.endpoint))).status).toBe(200);
    expect(chunks).toBe(2);
    expect(Math.ceil(events / CHUNK)).toBeGreaterThan(10);
  });
});

/**
 * The heaviest legal writes: 1,000-participant PATCHes on a room of 10,000 (the roster limit), against
 * `usher serve` in its own process. Twenty in flight at once queue on the room; a /healthz sent once the
 * first is answered is answered before the last of them, and before a replay of the room sent with them.
 */
describe('heavy writes do not hold the server', () => {
  const directory = temporaryDirectory('heavy-writes');
  const ROSTER = 10_000;
  const WRITES = 20;
  afterAll(() => directory.remove());

  it('answers /healthz sent while 1,000-participant PATCHes on a 10,000-participant room are under way, before they are done', async () => {
    const server = await startUsher(['--db', join(directory.path, 'heavy-writes.db')]);
    try {
      const call = (method: string, path: string, body = '') => signedFetch(server.endpoint, server.key, method, path, body);
      const created = await call('POST', '/rooms?api-version=2025-03-13', '{"participants":{}}');
      const { id } = (await created.json()) as { id: string };
      const path = `/rooms/${id}/participants?api-version=2025-03-13`;
      const block = (n: number, role: string) =>
        JSON.stringify({ participants: Object.fromEntries(Array.from({ length: CHUNK }, (_, k) => [`8:acs:w${n}_${k}`, { role }])) });
      for (let n = 0; n < ROSTER / CHUNK; n += 1) expect((await call('PATCH', path, block(n, 'Attendee'))).status).toBe(200);

      const finished: string[] = [];
      const writes = Array.from({ length: WRITES }, (_, n) =>
        call('PATCH', path, block(n % (ROSTER / CHUNK), n < ROSTER / CHUNK ? 'Consumer' : 'Presenter')).then((response) => {
          finished.push(`patch ${n}`);
          return response.status;
        }),
      );
      const replay = call('GET', `/rooms/${id}/state?api-version=2025-03-13`).then((response) => {
        finished.push('state');
        return response.status;
      });
      await Promise.race(writes);
      const health = await fetch(new URL('/healthz', server.endpoint)).then((response) => {
        finished.push('healthz');
        return response.status;
      });
      expect(health).toBe(200);
      expect(await Promise.all([...writes, replay])).toEqual(Array.from({ length: WRITES + 1 }, () => 200));
      // An ordering, not a timing: writes still queued on the room were answered after /healthz.
      const after = finished.slice(finished.indexOf('healthz') + 1);
      expect(after.filter((name) => name.startsWith('patch')).length, finished.join(', ')).toBeGreaterThan(0);
    } finally {
      server.signal('SIGTERM');
      await server.exit;
    }
  });
});
