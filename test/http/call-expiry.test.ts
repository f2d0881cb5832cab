import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { temporaryDirectory } from '../support/stores.js';
import { type StartedProcess, signedFetch, startUsher } from '../support/usher-process.js';
import { KEY_A } from './server.js';

const VERSION = 'api-version=2025-03-13';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface HistoryEntry {
  readonly type: string;
  readonly at: string;
  readonly description: string;
}

/** Calls on rooms with the `endCall` policy, reached through whichever node is given. */
function rooms(key: string) {
  const call = (endpoint: string, method: string, path: string, body = '') => signedFetch(endpoint, key, method, path, body);
  return {
    /** A room that closes at `validUntil`, ending its call, with one participant in the call. */
    async withCall(endpoint: string, validUntil: Date, member: string): Promise<string> {
      const created = await call(
        endpoint,
        'POST',
        `/rooms?${VERSION}`,
        JSON.stringify({ validUntil: validUntil.toISOString(), expiryPolicy: 'endCall', participants: { [member]: { role: 'Presenter' } } }),
      );
      expect(created.status, await created.clone().text()).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const joined = await call(endpoint, 'POST', `/rooms/${id}/call/participants?${VERSION}`, JSON.stringify({ id: member }));
      expect(joined.status, await joined.clone().text()).toBe(201);
      return id;
    },
    async active(endpoint: string, room: string): Promise<boolean> {
      const answer = await call(endpoint, 'GET', `/rooms/${room}/call?${VERSION}`);
      return ((await answer.json()) as { active: boolean }).active;
    },
    async history(endpoint: string, room: string): Promise<HistoryEntry[]> {
      const answer = await call(endpoint, 'GET', `/rooms/${room}/history?${VERSION}&maxpagesize=1000`);
      return ((await answer.json()) as { value: HistoryEntry[] }).value;
    },
  };
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Exactly one CallEnded, for expiry, no earlier than the room's end, and nothing about the call after it. */
async function expectEndedOnce(history: HistoryEntry[], validUntil: Date): Promise<void> {
  const ended = history.filter((entry) => entry.type === 'CallEnded');
  expect(ended, JSON.stringify(history)).toHaveLength(1);
  expect(ended[0]?.description).toMatch(/expired|window/i);
  expect(Date.parse(ended[0]?.at ?? '')).toBeGreaterThanOrEqual(validUntil.getTime());
  expect(history[history.length - 1]?.type).toBe('CallEnded');
}

const killHard = async (node: StartedProcess) => {
  node.signal('SIGKILL');
  await node.exit;
};

describe('calls end at validUntil, once, across a crash (SQLite)', () => {
  const directory = temporaryDirectory('expiry');
  afterAll(() => directory.remove());

  it('SQLite: a server killed with SIGKILL before validUntil and started after it ends the call exactly once', async () => {
    const db = join(directory.path, 'expiry.db');
    const first = await startUsher(['--db', db, '--expiry-lease', '1']);
    const api = rooms(first.key);
    const validUntil = new Date(Date.now() + 3_000);
    const room = await api.withCall(first.endpoint, validUntil, '8:acs:expiry_1');
    // The schedule runs while the server does: a second room ends on time with the server up.
    const onTime = await api.withCall(first.endpoint, new Date(Date.now() + 1_500), '8:acs:expiry_2');
    await until(async () => !(await api.active(first.endpoint, onTime)), 5_000, 'the running server to end the call');
    expect(await api.active(first.endpoint, room)).toBe(true);
    await killHard(first);

    await sleep(Math.max(0, validUntil.getTime() - Date.now()) + 500);
    const second = await startUsher(['--db', db, '--expiry-lease', '1']);
    try {
      await until(async () => !(await api.active(second.endpoint, room)), 10_000, 'the restarted server to end the missed call');
      // Another round or two: nothing more is appended.
      await sleep(1_500);
      await expectEndedOnce(await api.history(second.endpoint, room), validUntil);
    } finally {
      second.signal('SIGTERM');
      expect(await second.exit).toBe(0);
    }
  });
});

const url = postgresUrl();
describe.skipIf(url === null)('calls end at validUntil, once, on two PostgreSQL nodes', () => {
  const factory = postgresFactory(url ?? '');
  afterAll(() => factory.dispose());

  it('both nodes killed with SIGKILL before validUntil and restarted after it end each call exactly once; calls due while they run end once too', async () => {
    const schema = factory.schemaOf(await factory.open());
    const start = () => startUsher(['--postgres', url ?? '', '--schema', schema, '--access-key', KEY_A, '--expiry-lease', '1']);
    const api = rooms(KEY_A);
    const firstPair = await Promise.all([start(), start()]);
    const missedUntil = new Date(Date.now() + 3_000);
    const missed: string[] = [];
    for (let n = 0; n < 6; n += 1) missed.push(await api.withCall(firstPair[n % 2]?.endpoint ?? '', missedUntil, `8:acs:pg_missed_${n}`));
    await Promise.all(firstPair.map(killHard));

    await sleep(Math.max(0, missedUntil.getTime() - Date.now()) + 500);
    const secondPair = await Promise.all([start(), start()]);
    const [a, b] = secondPair as [StartedProcess, StartedProcess];
    try {
      // Calls that come due while both nodes run.
      const liveUntil = new Date(Date.now() + 2_500);
      const live: string[] = [];
      for (let n = 0; n < 6; n += 1) live.push(await api.withCall(n % 2 === 0 ? a.endpoint : b.endpoint, liveUntil, `8:acs:pg_live_${n}`));
      for (const room of [...missed, ...live]) {
        await until(async () => !(await api.active(a.endpoint, room)), 15_000, `room ${room}'s call to end`);
      }
      await sleep(1_500);
      for (const room of missed) await expectEndedOnce(await api.history(b.endpoint, room), missedUntil);
      for (const room of live) await expectEndedOnce(await api.history(b.endpoint, room), liveUntil);
    } finally {
      for (const node of secondPair) node.signal('SIGTERM');
      expect(await Promise.all(secondPair.map((node) => node.exit))).toEqual([0, 0]);
    }
  });
});
