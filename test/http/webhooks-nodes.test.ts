import { hostname } from 'node:os';
import { createPostgresStore } from '@usher/store-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { serverEventsInLog } from '../support/server-events.js';
import { type StartedProcess, signedFetch, startUsher } from '../support/usher-process.js';
import { eventually, type Receiver, startReceiver } from '../support/webhook-receiver.js';
import { KEY_A } from './server.js';

const VERSION = 'api-version=2025-03-13';
const SECRET = `whsec_${Buffer.alloc(32, 11).toString('base64')}`;
const LEASE_S = 2;
/** The bound on the handover: the lease lapses, then the survivor's next look at it (every 1 s), and a little slack. */
const HANDOVER_BOUND_MS = (LEASE_S + 3) * 1_000;
/** Rooms made before the kill, and at least as many after it, through the survivor. */
const ROOMS_BEFORE_KILL = 8;
const ROOMS_AFTER_KILL = 12;
const MAX_ROOMS = 80;
/** The pause between two rooms: a steady stream that the deliverer (15–30 ms an event) can keep up with. */
const PACE_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const call = (node: StartedProcess, method: string, path: string, body?: unknown) =>
  signedFetch(node.endpoint, KEY_A, method, `${path}${path.includes('?') ? '&' : '?'}${VERSION}`, body === undefined ? '' : JSON.stringify(body));

async function expectedEvents(connectionString: string, schema: string) {
  const store = createPostgresStore({ connectionString, schema, poolSize: 2 });
  try {
    return await serverEventsInLog(store);
  } finally {
    await store.close();
  }
}

const url = postgresUrl();
describe.skipIf(url === null)('webhooks on two PostgreSQL nodes', () => {
  const connectionString = url ?? '';
  const factory = postgresFactory(connectionString);
  const admin = new pg.Pool({ connectionString, max: 1 });
  const running: StartedProcess[] = [];
  let receiver: Receiver | undefined;
  afterAll(async () => {
    for (const node of running) if (node.child.exitCode === null && node.child.signalCode === null) node.signal('SIGKILL');
    await Promise.all(running.map((node) => node.exit));
    await receiver?.close();
    await admin.end();
    await factory.dispose();
  });

  it('the delivering node killed with SIGKILL mid-stream: the other takes over within the lease, one delivery at a time, losing no event', async () => {
    const schema = factory.schemaOf(await factory.open());
    const leaseHolder = async (): Promise<string | null> =>
      (await admin.query<{ holder: string }>(`SELECT holder FROM "${schema}".leases WHERE name = 'webhooks'`)).rows[0]?.holder ?? null;

    // A receiver that takes 15–30 ms to answer and counts the deliveries it is answering at once.
    let inFlight = 0;
    let maxInFlight = 0;
    const overlapping: string[] = [];
    /** When each attempt arrived, by its index in `receiver.attempts`. */
    const arrivals: number[] = [];
    const started = await startReceiver(SECRET, {
      delayMs: () => {
        const delay = 15 + Math.floor(Math.random() * 16);
        arrivals.push(Date.now());
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (inFlight > 1) overlapping.push(String(started.attempts[started.attempts.length - 1]?.headers['webhook-id']));
        // Set before the receiver's own timer of the same length, so it runs first, in the same turn as the answer.
        setTimeout(() => {
          inFlight -= 1;
        }, delay);
        return delay;
      },
    });
    receiver = started;

    const start = () => startUsher(['--postgres', connectionString, '--schema', schema, '--access-key', KEY_A, '--webhook-lease', String(LEASE_S)]);
    const nodes = await Promise.all([start(), start()]);
    running.push(...nodes);
    const pids = nodes.map((node) => node.child.pid);

    const subscribed = await call(nodes[0] as StartedProcess, 'PUT', '/eventSubscriptions/all-events', {
      endpointUrl: started.url,
      secret: SECRET,
      eventDeliverySchema: 'EventGridSchema',
    });
    expect(subscribed.status, await subscribed.clone().text()).toBe(201);
    expect(started.validations).toHaveLength(1);

    // The stream: rooms made through both nodes in turn, each with a participant added; after the kill, through the survivor.
    const alive = [...nodes];
    let stopProducing = false;
    let killed: StartedProcess | undefined;
    let made = 0;
    let madeAfterKill = 0;
    let lostToKill = 0;
    const producing = (async () => {
      for (let n = 0; !stopProducing && n < MAX_ROOMS; n += 1) {
        const node = alive[n % alive.length] as StartedProcess;
        const afterKill = killed !== undefined;
        try {
          const created = await call(node, 'POST', '/rooms', {});
          expect(created.status, await created.clone().text()).toBe(201);
          const { id } = (await created.json()) as { id: string };
          const patched = await call(node, 'PATCH', `/rooms/${id}/participants`, { participants: { [`8:acs:nodes_${n}`]: { role: 'Attendee' } } });
          expect(patched.status, await patched.clone().text()).toBe(200);
          made += 1;
          if (afterKill) madeAfterKill += 1;
        } catch (error) {
          // A request under way to the node as it was killed: what it wrote, if anything, is in the log and counted there.
          if (node !== killed) throw error;
          lostToKill += 1;
        }
        await sleep(PACE_MS);
      }
    })();
    const producer = producing.catch((error: unknown) => error);

    try {
      await eventually(() => made >= ROOMS_BEFORE_KILL && started.accepted.length >= 5, 'deliveries to be under way', 15_000);
      const holder = await leaseHolder();
      expect(holder).not.toBeNull();
      expect(holder?.slice(0, holder.lastIndexOf(':'))).toBe(hostname());
      const holderPid = Number(holder?.slice(holder.lastIndexOf(':') + 1));
      expect(pids).toContain(holderPid);
      const deliverer = nodes[pids.indexOf(holderPid)] as StartedProcess;
      const survivor = nodes[1 - pids.indexOf(holderPid)] as StartedProcess;

      // Kill it in the middle of a delivery, while rooms are still being made.
      await eventually(() => inFlight === 1, 'a delivery under way', 5_000);
      const attemptsBeforeKill = started.attempts.length;
      killed = deliverer;
      alive.splice(alive.indexOf(deliverer), 1);
      const killedAt = Date.now();
      deliverer.signal('SIGKILL');
      await deliverer.exit;
      const exitedAt = Date.now();

      let takenOverAt = 0;
      await until(
        async () => {
          const now = await leaseHolder();
          if (now !== `${hostname()}:${survivor.child.pid}`) return false;
          takenOverAt = Date.now();
          return true;
        },
        HANDOVER_BOUND_MS + 5_000,
        'the survivor to take the lease',
      );
      /** The first attempt that began after the killed node was gone: the survivor's first. */
      const firstAfterKill = () => arrivals.findIndex((at, index) => index >= attemptsBeforeKill && at > exitedAt);
      await eventually(() => firstAfterKill() >= 0, 'a delivery from the survivor', HANDOVER_BOUND_MS + 5_000);
      const handoverMs = (arrivals[firstAfterKill()] as number) - killedAt;

      await eventually(() => madeAfterKill >= ROOMS_AFTER_KILL, 'rooms made through the survivor after the kill', 20_000);
      stopProducing = true;
      const failed = await producer;
      if (failed !== undefined) throw failed;

      const expected = await expectedEvents(connectionString, schema);
      expect(expected.length).toBeGreaterThanOrEqual(2 * made);
      const acceptedIds = () => new Set(started.events().map((event) => event.id as string));
      await eventually(() => expected.every((event) => acceptedIds().has(event.id)), 'every event of the log to be delivered', 20_000);

      const ids = started.events().map((event) => event.id as string);
      const counts = new Map<string, number>();
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      const duplicates = [...counts].filter(([, count]) => count > 1);
      console.log(
        `webhooks on two nodes: ${expected.length} events in the log from ${made} rooms (${madeAfterKill} after the kill, ${lostToKill} cut short by it); ` +
          `lease taken over ${takenOverAt - killedAt} ms after the kill, first delivery after it ${handoverMs} ms after; ` +
          `${ids.length} accepted deliveries, ${duplicates.length} ids accepted more than once${duplicates.length === 0 ? '' : `: ${duplicates.map(([id, count]) => `${id} ×${count}`).join(', ')}`}; ` +
          `at most ${maxInFlight} in flight`,
      );

      // Every event the log holds was accepted, and nothing it does not hold; each delivery signed.
      const known = new Set(expected.map((event) => event.id));
      expect(expected.filter((event) => !counts.has(event.id)).map((event) => event.id)).toEqual([]);
      expect(ids.filter((id) => !known.has(id))).toEqual([]);
      expect(started.accepted.every((delivery) => delivery.verified === true)).toBe(true);
      // One delivery at a time: the two nodes never delivered at once.
      expect(overlapping, 'deliveries that arrived while another was being answered').toEqual([]);
      expect(maxInFlight).toBe(1);
      // The handover was bounded by the lease.
      expect(handoverMs).toBeLessThanOrEqual(HANDOVER_BOUND_MS);
      // In log order per room: each event first accepted after every earlier event of its room.
      const firstSeen = new Map<string, number>();
      ids.forEach((id, index) => {
        if (!firstSeen.has(id)) firstSeen.set(id, index);
      });
      for (const room of new Set(expected.map((event) => event.roomId))) {
        const order = expected.filter((event) => event.roomId === room).map((event) => firstSeen.get(event.id) ?? -1);
        expect(order, `room ${room}`).toEqual([...order].sort((a, b) => a - b));
      }
      // The survivor still holds the lease, and stops cleanly.
      expect(await leaseHolder()).toBe(`${hostname()}:${survivor.child.pid}`);
      survivor.signal('SIGTERM');
      expect(await survivor.exit).toBe(0);
    } finally {
      stopProducing = true;
      await producer;
    }
  }, 45_000);
});
