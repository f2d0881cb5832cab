import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { temporaryDirectory } from '../support/stores.js';
import { MAIN, type StartedProcess, signedFetch, startUsher } from '../support/usher-process.js';
import { KEY_A } from './server.js';

const VERSION = 'api-version=2025-03-13';
const BURST = 200;

interface Participant {
  readonly rawId: string;
  readonly role: string;
}

/**
 * 200 participant PATCHes to one room, all in flight at once, spread over the nodes given: every one
 * is answered 200 (no conflict the caller did not ask for), every participant is on the roster, the
 * room's versions are contiguous.
 */
async function burst(nodes: readonly StartedProcess[], key: string): Promise<void> {
  const created = await signedFetch(nodes[0]?.endpoint ?? '', key, 'POST', `/rooms?${VERSION}`, '{"participants":{}}');
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const answers = await Promise.all(
    Array.from({ length: BURST }, async (_, n) => {
      const node = nodes[n % nodes.length] as StartedProcess;
      const body = JSON.stringify({ participants: { [`8:acs:burst_${n}`]: { role: n % 2 === 0 ? 'Presenter' : 'Attendee' } } });
      const answer = await signedFetch(node.endpoint, key, 'PATCH', `/rooms/${id}/participants?${VERSION}`, body);
      return { status: answer.status, body: await answer.text() };
    }),
  );
  const refused = answers.filter((answer) => answer.status !== 200);
  expect(refused.slice(0, 3), `${refused.length} of ${BURST} refused`).toEqual([]);

  const roster: Participant[] = [];
  let next: string | null = `/rooms/${id}/participants?${VERSION}&maxpagesize=1000`;
  while (next !== null) {
    const page = (await (await signedFetch(nodes[0]?.endpoint ?? '', key, 'GET', next)).json()) as { value: Participant[]; nextLink?: string };
    roster.push(...page.value);
    next = page.nextLink === undefined ? null : new URL(page.nextLink).pathname + new URL(page.nextLink).search;
  }
  expect(roster.map((p) => p.rawId).sort()).toEqual(Array.from({ length: BURST }, (_, n) => `8:acs:burst_${n}`).sort());
  const history = (await (await signedFetch(nodes[0]?.endpoint ?? '', key, 'GET', `/rooms/${id}/history?${VERSION}&maxpagesize=1000`)).json()) as {
    value: { version: number }[];
  };
  expect(history.value.map((entry) => entry.version)).toEqual(Array.from({ length: BURST + 1 }, (_, n) => n + 1));
}

const stop = async (nodes: readonly StartedProcess[]) => {
  for (const node of nodes) node.signal('SIGTERM');
  expect(await Promise.all(nodes.map((node) => node.exit))).toEqual(nodes.map(() => 0));
};

describe('a burst of concurrent writes to one room', () => {
  const directory = temporaryDirectory('burst');
  afterAll(() => directory.remove());

  it('through one SQLite node: all 200 answered 200, all present, versions contiguous, the log verifies', async () => {
    const db = join(directory.path, 'burst.db');
    const node = await startUsher(['--db', db]);
    try {
      await burst([node], node.key);
    } finally {
      await stop([node]);
    }
    const { USHER_PG_URL: _postgres, ...env } = process.env;
    expect(execFileSync(process.execPath, [MAIN, 'audit', 'verify', '--db', db], { env, encoding: 'utf8' })).toMatch(/ events in 1 rooms? verified/);
  });
});

/**
 * A node killed with SIGKILL in the middle of a burst: every write it answered 200 is there after a
 * restart (the answer comes after the commit is durable); writes it never answered may or may not be.
 */
async function crashMidBurst(start: () => Promise<StartedProcess>, key: string): Promise<void> {
  const first = await start();
  const created = await signedFetch(first.endpoint, key, 'POST', `/rooms?${VERSION}`, '{"participants":{}}');
  const { id } = (await created.json()) as { id: string };
  const acknowledged: string[] = [];
  let killed = false;
  const writes = Array.from({ length: 400 }, async (_, n) => {
    const rawId = `8:acs:crash_${n}`;
    try {
      const answer = await signedFetch(
        first.endpoint,
        key,
        'PATCH',
        `/rooms/${id}/participants?${VERSION}`,
        JSON.stringify({ participants: { [rawId]: { role: 'Attendee' } } }),
      );
      if (answer.status === 200) acknowledged.push(rawId);
      if (acknowledged.length === 50 && !killed) {
        killed = true;
        first.signal('SIGKILL');
      }
    } catch {
      // The connection died with the server: not acknowledged.
    }
  });
  await Promise.all(writes);
  await first.exit;
  expect(killed).toBe(true);
  expect(acknowledged.length).toBeGreaterThanOrEqual(50);
  expect(acknowledged.length, 'the kill came in the middle of the burst').toBeLessThan(400);

  const second = await start();
  try {
    const roster: Participant[] = [];
    let next: string | null = `/rooms/${id}/participants?${VERSION}&maxpagesize=1000`;
    while (next !== null) {
      const page = (await (await signedFetch(second.endpoint, key, 'GET', next)).json()) as { value: Participant[]; nextLink?: string };
      roster.push(...page.value);
      next = page.nextLink === undefined ? null : new URL(page.nextLink).pathname + new URL(page.nextLink).search;
    }
    const present = new Set(roster.map((p) => p.rawId));
    expect(acknowledged.filter((rawId) => !present.has(rawId))).toEqual([]);
  } finally {
    await stop([second]);
  }
}

describe('a crash in the middle of a burst of writes', () => {
  const directory = temporaryDirectory('crash');
  afterAll(() => directory.remove());

  it('SQLite (synchronous=FULL, the default): loses no acknowledged write', async () => {
    const db = join(directory.path, 'crash.db');
    const key = Buffer.alloc(32, 3).toString('base64');
    await crashMidBurst(() => startUsher(['--db', db, '--access-key', key]), key);
  });
});

const url = postgresUrl();
describe.skipIf(url === null)('a burst of concurrent writes to one room on PostgreSQL', () => {
  const factory = postgresFactory(url ?? '');
  afterAll(() => factory.dispose());

  it('through two nodes: all 200 answered 200, all present, versions contiguous, the log verifies', async () => {
    const schema = factory.schemaOf(await factory.open());
    const start = () => startUsher(['--postgres', url ?? '', '--schema', schema, '--access-key', KEY_A]);
    const nodes = await Promise.all([start(), start()]);
    try {
      await burst(nodes, KEY_A);
    } finally {
      await stop(nodes);
    }
    const { USHER_PG_URL: _postgres, ...env } = process.env;
    const verified = execFileSync(process.execPath, [MAIN, 'audit', 'verify', '--postgres', url ?? '', '--schema', schema], {
      env,
      encoding: 'utf8',
    });
    expect(verified).toMatch(/ events in 1 rooms? verified/);
  });

  it('a node killed with SIGKILL in the middle of a burst loses no acknowledged write', async () => {
    const schema = factory.schemaOf(await factory.open());
    await crashMidBurst(() => startUsher(['--postgres', url ?? '', '--schema', schema, '--access-key', KEY_A]), KEY_A);
  });
});
