import { join } from 'node:path';
import type { ServerEvent } from '@usher/core';
import { createSqliteStore } from '@usher/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { serverEventsInLog } from '../support/server-events.js';
import { temporaryDirectory } from '../support/stores.js';
import { type StartedProcess, signedFetch, startUsher } from '../support/usher-process.js';
import { eventually, startReceiver } from '../support/webhook-receiver.js';

const VERSION = 'api-version=2025-03-13';
const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const ROOMS = 12;

async function expectedEvents(db: string) {
  const store = createSqliteStore({ path: db });
  try {
    return await serverEventsInLog(store);
  } finally {
    await store.close();
  }
}

describe('webhooks across a crash (SQLite)', () => {
  const directory = temporaryDirectory('webhooks-crash');
  const running: StartedProcess[] = [];
  afterAll(() => {
    for (const server of running) if (server.child.exitCode === null && server.child.signalCode === null) server.signal('SIGKILL');
    directory.remove();
  });

  it('a server killed with SIGKILL mid-burst, with a slow and sometimes failing receiver, loses no event once restarted', async () => {
    const db = join(directory.path, 'crash.db');
    const flags = ['--db', db, '--webhook-lease', '1', '--webhook-retry-delay', '0.02', '--webhook-attempts', '100'];
    let answered = 0;
    // Slow (up to 15 ms) and failing one delivery in five, in a fixed pattern so that a run can be told again.
    const receiver = await startReceiver(SECRET, { answer: (attempt) => (attempt % 5 === 3 ? 503 : 200), delayMs: () => (answered++ % 4) * 5 });
    try {
      const first = await startUsher(flags);
      running.push(first);
      const call = (server: StartedProcess, method: string, path: string, body?: unknown) =>
        signedFetch(server.endpoint, server.key, method, `${path}?${VERSION}`, body === undefined ? '' : JSON.stringify(body));
      const subscribed = await call(first, 'PUT', '/eventSubscriptions/everything', { endpointUrl: receiver.url, secret: SECRET });
      expect(subscribed.status, await subscribed.clone().text()).toBe(201);

      const rooms: string[] = [];
      for (let n = 0; n < ROOMS; n += 1) {
        const created = await call(first, 'POST', '/rooms', {});
        rooms.push(((await created.json()) as { id: string }).id);
      }
      // The burst: participant changes, several at a time, for as long as the server lives; it is killed while
      // they run and while deliveries are under way.
      let sent = 0;
      let acknowledged = 0;
      let alive = true;
      const writer = async (lane: number) => {
        for (let n = 0; alive; n += 1) {
          const room = rooms[(lane + n) % ROOMS] as string;
          sent += 1;
          const answer = await call(first, 'PATCH', `/rooms/${room}/participants`, {
            participants: { [`8:acs:crash_${lane}_${n}`]: { role: 'Attendee' } },
          }).catch(() => null);
          if (answer?.status === 200) acknowledged += 1;
          else alive = false;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      };
      const writers = Promise.all([0, 1].map(writer));
      await eventually(() => receiver.accepted.length >= ROOMS + 10 && acknowledged >= 60, 'writes and deliveries to be under way');
      first.signal('SIGKILL');
      await first.exit;
      await writers;

      const second = await startUsher(flags);
      running.push(second);
      // Life goes on after the restart: more events, delivered as well.
      for (const room of rooms.slice(0, 3)) expect((await call(second, 'DELETE', `/rooms/${room}`)).status).toBe(204);

      const expected = await expectedEvents(db);
      expect(expected.length).toBeGreaterThanOrEqual(ROOMS + acknowledged + 3);
      const acceptedIds = () => new Set(receiver.events().map((event) => event.id as string));
      await eventually(() => expected.every((event) => acceptedIds().has(event.id)), 'every event to be delivered', 60_000);

      const ids = receiver.events().map((event) => event.id as string);
      const duplicates = ids.length - new Set(ids).size;
      console.log(
        `webhooks across a crash: ${expected.length} events in the log (${acknowledged} of ${sent} PATCHes acknowledged before the kill), ` +
          `${ids.length} accepted deliveries, ${duplicates} duplicates, ${receiver.attempts.length - receiver.accepted.length} failed attempts`,
      );
      // Nothing delivered that the log does not hold; every delivery signed as Standard Webhooks says.
      const known = new Set(expected.map((event) => event.id));
      expect(ids.filter((id) => !known.has(id))).toEqual([]);
      expect(receiver.accepted.every((delivery) => delivery.verified === true)).toBe(true);
      // In log order per room: the first delivery of each event comes after the first delivery of every earlier event of its room.
      const firstSeen = new Map<string, number>();
      ids.forEach((id, index) => {
        if (!firstSeen.has(id)) firstSeen.set(id, index);
      });
      for (const room of rooms) {
        const order = expected.filter((event) => event.roomId === room).map((event) => firstSeen.get(event.id) ?? -1);
        expect(order, `room ${room}`).toEqual([...order].sort((a, b) => a - b));
      }
      const types = new Set(receiver.events().map((event) => (event as unknown as ServerEvent).eventType));
      expect(types).toEqual(new Set(['Usher.Rooms.RoomCreated', 'Usher.Rooms.ParticipantsUpdated', 'Usher.Rooms.RoomDeleted']));
      second.signal('SIGTERM');
      expect(await second.exit).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});
