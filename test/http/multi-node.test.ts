import { fold } from '@usher/core';
import { createPostgresStore } from '@usher/store-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { allParticipants } from '../stores/contract.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { signedFetch, startUsher } from '../support/usher-process.js';
import { KEY_A } from './server.js';

const url = postgresUrl();
const ROOMS = 4;
const CHANGES_PER_WORKER = 40;
const WORKERS_PER_NODE = 3;

const startNode = (schema: string) => startUsher(['--postgres', url ?? '', '--schema', schema, '--access-key', KEY_A]);
const signed = (endpoint: string, method: string, path: string, body = '') => signedFetch(endpoint, KEY_A, method, path, body);

describe.skipIf(url === null)('two usher serve --postgres nodes on one database', () => {
  const factory = postgresFactory(url ?? '');
  afterAll(() => factory.dispose());

  it('keeps every acknowledged participant change made through either node, and the log replays to the projections', async () => {
    const schema = factory.schemaOf(await factory.open());
    const nodes = await Promise.all([startNode(schema), startNode(schema)]);
    try {
      const rooms: string[] = [];
      for (let n = 0; n < ROOMS; n += 1) {
        const created = await signed(nodes[n % 2]?.endpoint ?? '', 'POST', '/rooms?api-version=2025-03-13', '{"participants":{}}');
        expect(created.status).toBe(201);
        rooms.push(((await created.json()) as { id: string }).id);
      }

      // Each worker adds its own participants through one node, and changes the role of every third one
      // it added; workers on both nodes write to the same rooms at the same time.
      const expected = new Map<string, Map<string, string>>(rooms.map((room) => [room, new Map()]));
      const worker = async (node: number, id: number) => {
        for (let n = 0; n < CHANGES_PER_WORKER; n += 1) {
          const room = rooms[(n + id) % ROOMS] ?? '';
          const rawId = `8:acs:node${node}_w${id}_${n}`;
          const role = n % 3 === 0 ? 'Presenter' : 'Attendee';
          const patched = await signed(
            nodes[node]?.endpoint ?? '',
            'PATCH',
            `/rooms/${room}/participants?api-version=2025-03-13`,
            JSON.stringify({ participants: { [rawId]: { role } } }),
          );
          if (patched.status !== 200) throw new Error(`PATCH answered ${patched.status}: ${await patched.text()}`);
          expected.get(room)?.set(rawId, role);
          if (n % 3 === 0) {
            const other = nodes[1 - node]?.endpoint ?? '';
            const demoted = await signed(
              other,
              'PATCH',
              `/rooms/${room}/participants?api-version=2025-03-13`,
              JSON.stringify({ participants: { [rawId]: { role: 'Consumer' } } }),
            );
            if (demoted.status !== 200) throw new Error(`PATCH answered ${demoted.status}: ${await demoted.text()}`);
            expected.get(room)?.set(rawId, 'Consumer');
          }
        }
      };
      await Promise.all([0, 1].flatMap((node) => Array.from({ length: WORKERS_PER_NODE }, (_, id) => worker(node, node * WORKERS_PER_NODE + id))));

      for (const room of rooms) {
        const listed = new Map<string, string>();
        let next: string | null = `/rooms/${room}/participants?api-version=2025-03-13&maxpagesize=50`;
        while (next !== null) {
          const page = (await (await signed(nodes[0]?.endpoint ?? '', 'GET', next)).json()) as {
            value: { rawId: string; role: string }[];
            nextLink?: string;
          };
          for (const participant of page.value) listed.set(participant.rawId, participant.role);
          next = page.nextLink === undefined ? null : new URL(page.nextLink).pathname + new URL(page.nextLink).search;
        }
        expect(listed).toEqual(expected.get(room));
      }

      const store = createPostgresStore({ connectionString: url ?? '', schema });
      try {
        const streams = rooms.map((roomId) => ({ tenantId: 'default', roomId }) as Parameters<typeof store.loadRoom>[0]);
        const snapshot = () =>
          Promise.all(
            streams.map(async (stream) => ({
              loaded: (await store.loadRoom(stream))._unsafeUnwrap(),
              roster: await allParticipants(store, stream, 100),
            })),
          );
        const before = await snapshot();
        for (const [index, stream] of streams.entries()) {
          const history = (await store.readStream(stream))._unsafeUnwrap();
          expect(history.map((event) => event.version)).toEqual(history.map((_, version) => version + 1));
          expect(before[index]?.loaded).toEqual({ version: history.length, state: fold(history) });
        }
        (await store.rebuildProjections())._unsafeUnwrap();
        expect(await snapshot()).toEqual(before);
      } finally {
        await store.close();
      }
    } finally {
      for (const node of nodes) node.child.kill('SIGTERM');
      await Promise.all(nodes.map((node) => node.exit));
    }
  });
});
