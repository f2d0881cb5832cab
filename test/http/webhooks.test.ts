import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/stores.js';
import { type StartedProcess, signedFetch, startUsher, usher } from '../support/usher-process.js';
import { eventually, type Receiver, startReceiver } from '../support/webhook-receiver.js';
import { KEY_B, startServer } from './server.js';

const VERSION = 'api-version=2025-03-13';
const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const ALICE = '8:acs:hooks_alice';
const BOB = '8:acs:hooks_bob';
const CALL_TYPES = [
  'Microsoft.Communication.CallStarted',
  'Microsoft.Communication.CallEnded',
  'Microsoft.Communication.CallParticipantAdded',
  'Microsoft.Communication.CallParticipantRemoved',
];

function api(server: StartedProcess) {
  const call = (method: string, path: string, body?: unknown) =>
    signedFetch(
      server.endpoint,
      server.key,
      method,
      `${path}${path.includes('?') ? '&' : '?'}${VERSION}`,
      body === undefined ? '' : JSON.stringify(body),
    );
  return {
    call,
    subscribe: (name: string, body: Record<string, unknown>) => call('PUT', `/eventSubscriptions/${name}`, body),
    /** A room's life: made with two participants, a call both join and leave, then deleted. */
    async roomLife(): Promise<string> {
      const created = await call('POST', '/rooms', { participants: { [ALICE]: { role: 'Presenter' }, [BOB]: { role: 'Attendee' } } });
      expect(created.status, await created.clone().text()).toBe(201);
      const { id } = (await created.json()) as { id: string };
      for (const [method, path, body] of [
        ['POST', `/rooms/${id}/call/participants`, { id: ALICE }],
        ['POST', `/rooms/${id}/call/participants`, { id: BOB }],
        ['DELETE', `/rooms/${id}/call/participants/${BOB}`, undefined],
        ['DELETE', `/rooms/${id}/call/participants/${ALICE}`, undefined],
        ['DELETE', `/rooms/${id}`, undefined],
      ] as const) {
        const answer = await call(method, path, body);
        expect(answer.status, `${method} ${path}: ${await answer.clone().text()}`).toBeLessThan(300);
      }
      return id;
    },
  };
}

const LIFE_TYPES = [
  'Usher.Rooms.RoomCreated',
  'Usher.Rooms.ParticipantsUpdated',
  'Usher.Rooms.ParticipantsUpdated',
  'Microsoft.Communication.CallStarted',
  'Microsoft.Communication.CallParticipantAdded',
  'Microsoft.Communication.CallParticipantAdded',
  'Microsoft.Communication.CallParticipantRemoved',
  'Microsoft.Communication.CallParticipantRemoved',
  'Microsoft.Communication.CallEnded',
  'Usher.Rooms.RoomDeleted',
];

describe('webhooks end to end (usher serve, receivers on loopback)', () => {
  const directory = temporaryDirectory('webhooks');
  const running: StartedProcess[] = [];
  const receivers: Receiver[] = [];
  afterAll(async () => {
    for (const server of running) if (server.child.exitCode === null && server.child.signalCode === null) server.signal('SIGKILL');
    await Promise.all(receivers.map((receiver) => receiver.close()));
    directory.remove();
  });
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };
  const serve = async (name: string, flags: string[] = []) => {
    const server = await startUsher(['--db', join(directory.path, `${name}.db`), '--webhook-lease', '1', ...flags]);
    running.push(server);
    return server;
  };

  it('validates endpoints in both schemas, then delivers a room’s life in order, signed, to each subscription', async () => {
    const server = await serve('life');
    const { call, subscribe, roomLife } = api(server);
    const eventGrid = await receiver(SECRET);
    const cloudEvents = await receiver(SECRET);

    const created = await subscribe('all-events', { endpointUrl: eventGrid.url, secret: SECRET });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await created.json()).toEqual({
      name: 'all-events',
      endpointUrl: eventGrid.url,
      includedEventTypes: null,
      eventDeliverySchema: 'EventGridSchema',
      provisioningState: 'Succeeded',
    });
    expect(eventGrid.validations).toHaveLength(1);
    expect(eventGrid.validations[0]).toMatchObject({ 'aeg-event-type': 'SubscriptionValidation', 'aeg-subscription-name': 'all-events' });
    const replaced = await subscribe('all-events', { endpointUrl: eventGrid.url, secret: SECRET });
    expect(replaced.status).toBe(200);

    const calls = await subscribe('calls', {
      endpointUrl: cloudEvents.url,
      secret: SECRET,
      eventDeliverySchema: 'CloudEventSchemaV1_0',
      includedEventTypes: CALL_TYPES,
    });
    expect(calls.status, await calls.clone().text()).toBe(201);
    expect(cloudEvents.validations[0]).toMatchObject({ 'webhook-request-origin': 'usher' });

    const listed = (await (await call('GET', '/eventSubscriptions')).json()) as { value: { name: string }[] };
    expect(listed.value.map((subscription) => subscription.name)).toEqual(['all-events', 'calls']);

    const roomId = await roomLife();
    await eventually(() => eventGrid.events().length >= LIFE_TYPES.length && cloudEvents.events().length >= 5, 'the deliveries');
    const delivered = eventGrid.events();
    expect(delivered.map((event) => event.eventType)).toEqual(LIFE_TYPES);
    expect(
      delivered.every((event) => event.topic === '/providers/usher/tenants/default' && (event.data as { room: { id: string } }).room.id === roomId),
    ).toBe(true);
    expect(new Set(delivered.map((event) => event.id)).size).toBe(LIFE_TYPES.length);
    for (const delivery of [...eventGrid.accepted, ...cloudEvents.accepted]) {
      expect(delivery.verified).toBe(true);
      expect(delivery.headers).toMatchObject({ 'aeg-event-type': 'Notification', 'aeg-delivery-count': '0' });
    }
    expect(eventGrid.accepted[0]?.headers).toMatchObject({
      'aeg-subscription-name': 'all-events',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(eventGrid.accepted[0]?.headers['webhook-id']).toBe(delivered[0]?.id);

    const [started] = cloudEvents.events();
    expect(cloudEvents.events().map((event) => event.type)).toEqual(LIFE_TYPES.filter((type) => CALL_TYPES.includes(type)));
    expect(started).toMatchObject({
      specversion: '1.0',
      source: '/providers/usher/tenants/default',
      data: { isRoomsCall: true, room: { id: roomId } },
    });
    expect(cloudEvents.accepted[0]?.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');

    expect((await call('DELETE', '/eventSubscriptions/calls')).status).toBe(204);
    expect((await call('GET', '/eventSubscriptions/calls')).status).toBe(404);
    expect((await call('DELETE', '/eventSubscriptions/calls')).status).toBe(204);
  });

  it('refuses an endpoint that fails the handshake, and bad subscriptions, with 400s naming what is wrong', async () => {
    const server = await serve('refusals');
    const { call, subscribe } = api(server);
    const wrongCode = await receiver(null, { validation: 'wrong-code' });
    const noOptions = await receiver(null, { options: 'refuse' });
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ['wrong-code', { endpointUrl: wrongCode.url }, /validationResponse/],
      ['no-options', { endpointUrl: noOptions.url, eventDeliverySchema: 'CloudEventSchemaV1_0' }, /OPTIONS handshake with 403/],
      ['nobody', { endpointUrl: 'http://127.0.0.1:9/hooks' }, /could not be reached/],
      ['creds', { endpointUrl: 'https://user:pw@example.com/hooks' }, /credentials/],
      ['ftp', { endpointUrl: 'ftp://example.com/hooks' }, /http or https/],
      ['types', { endpointUrl: wrongCode.url, includedEventTypes: ['Microsoft.Communication.RecordingFileStatusUpdated'] }, /not an event type/],
      ['secret', { endpointUrl: wrongCode.url, secret: 'hunter2' }, /whsec_/],
      ['x', { endpointUrl: wrongCode.url }, /3 to 64/],
    ];
    for (const [name, body, message] of refusals) {
      const answer = await subscribe(name, body);
      expect(answer.status, name).toBe(400);
      expect(await answer.text(), name).toMatch(message);
      if (name !== 'x') expect((await call('GET', `/eventSubscriptions/${name}`)).status).toBe(404);
    }
    expect((await subscribe('extra', { endpointUrl: wrongCode.url, filter: {} })).status).toBe(400);
  });

  it('dead-letters an event after the retry limit (at once for a 400), and redelivers it on request once the receiver recovers', async () => {
    const server = await serve('dead', ['--webhook-attempts', '3', '--webhook-retry-delay', '0.05']);
    const { call, subscribe } = api(server);
    let healthy = false;
    const failing = await receiver(SECRET, { answer: () => (healthy ? 200 : 503) });
    const refusing = await receiver(null, { answer: () => 400 });
    expect((await subscribe('failing', { endpointUrl: failing.url, secret: SECRET })).status).toBe(201);
    expect((await subscribe('refusing', { endpointUrl: refusing.url })).status).toBe(201);
    const created = await call('POST', '/rooms', { participants: { [ALICE]: {} } });
    expect(created.status).toBe(201);

    const letters = async (name: string) =>
      (
        (await (await call('GET', `/eventSubscriptions/${name}/deadLetters`)).json()) as {
          value: { eventType: string; attempts: number; lastError: string; eventId: string }[];
        }
      ).value;
    let failed: Awaited<ReturnType<typeof letters>> = [];
    await eventually(() => failing.attempts.length >= 6, 'three attempts at each of two events');
    await eventually(() => {
      void letters('failing').then((value) => {
        failed = value;
      });
      return failed.length === 2;
    }, 'two dead letters');
    expect(failed.map((letter) => [letter.eventType, letter.attempts])).toEqual([
      ['Usher.Rooms.RoomCreated', 3],
      ['Usher.Rooms.ParticipantsUpdated', 3],
    ]);
    expect(failed[0]?.lastError).toMatch(/answered 503/);
    expect(failing.attempts.slice(0, 3).map((delivery) => delivery.headers['aeg-delivery-count'])).toEqual(['0', '1', '2']);
    // Every attempt at one event is the same message to the receiver: the same id, each signed anew.
    expect(failing.attempts.slice(0, 3).map((delivery) => [delivery.headers['webhook-id'], delivery.verified])).toEqual(
      Array.from({ length: 3 }, () => [failed[0]?.eventId, true]),
    );
    const refused = await letters('refusing');
    expect(refused.map((letter) => letter.attempts)).toEqual([1, 1]);
    expect(refusing.attempts).toHaveLength(2);

    healthy = true;
    const redeliver = await call('POST', '/eventSubscriptions/failing/deadLetters/redeliver');
    expect(redeliver.status).toBe(202);
    expect(await redeliver.json()).toEqual({ queued: 2 });
    await eventually(() => failing.accepted.length >= 2, 'the redelivered events');
    expect(failing.events().map((event) => event.eventType)).toEqual(['Usher.Rooms.RoomCreated', 'Usher.Rooms.ParticipantsUpdated']);
    expect(failing.accepted.every((delivery) => delivery.verified === true)).toBe(true);
    await eventually(() => {
      void letters('failing').then((value) => {
        failed = value;
      });
      return failed.length === 0;
    }, 'an empty dead-letter list');
    expect((await call('GET', '/eventSubscriptions/nope/deadLetters')).status).toBe(404);
  });
  it('is managed from the CLI on the store the servers share: add (with the handshake), list, dead-letters, redeliver, remove', async () => {
    const db = join(directory.path, 'cli.db');
    const server = await serve('cli');
    let refusing = true;
    const endpoint = await receiver(SECRET, { answer: () => (refusing ? 400 : 200) });
    const added = await usher('webhooks', 'add', 'from-cli', endpoint.url, '--db', db, '--secret', SECRET, '--type', 'Usher.Rooms.RoomCreated');
    expect(added, added.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining('created subscription from-cli') });
    expect(endpoint.validations).toHaveLength(1);
    const listed = await usher('webhooks', 'list', '--db', db, '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'from-cli', endpointUrl: endpoint.url, includedEventTypes: ['Usher.Rooms.RoomCreated'], signed: true }),
    ]);
    expect(listed.stdout).not.toContain(SECRET);

    const created = await api(server).call('POST', '/rooms', {});
    expect(created.status).toBe(201);
    await eventually(() => endpoint.attempts.length === 1, 'the refused delivery');
    // One CLI run at a time: a run started every poll, unawaited, piled up processes on a busy machine.
    let letters: { eventType: string }[] = [];
    let last = '';
    for (const until = Date.now() + 20_000; letters.length !== 1 && Date.now() < until; ) {
      const answer = await usher('webhooks', 'dead-letters', 'from-cli', '--db', db, '--json');
      last = `${answer.code}: ${answer.stdout}${answer.stderr}`;
      if (answer.code === 0) letters = JSON.parse(answer.stdout) as { eventType: string }[];
    }
    expect(letters, `the dead letter (the CLI's last answer: ${last})`).toHaveLength(1);
    expect(letters[0]?.eventType).toBe('Usher.Rooms.RoomCreated');

    refusing = false;
    expect((await usher('webhooks', 'redeliver', 'from-cli', '--db', db)).stdout).toContain('queued 1 dead letter of from-cli');
    await eventually(() => endpoint.accepted.length >= 1, 'the redelivery');
    expect(endpoint.accepted).toHaveLength(1);
    expect(endpoint.accepted[0]?.verified).toBe(true);

    expect((await usher('webhooks', 'remove', 'from-cli', '--db', db)).stdout).toContain('removed subscription from-cli');
    expect((await usher('webhooks', 'list', '--db', db)).stdout).toContain('no subscriptions');
    const refused = await usher('webhooks', 'add', 'bad', 'ftp://example.com', '--db', db);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/http or https/);
  });
  it('holds up no other subscription with a dead endpoint, nor another tenant’s', async () => {
    const server = await serve('isolation', ['--webhook-retry-delay', '30']);
    const { call, subscribe, roomLife } = api(server);
    let up = true;
    const dead = await receiver(null, { answer: () => (up ? 200 : 503) });
    const healthy = await receiver(null);
    expect((await subscribe('dead', { endpointUrl: dead.url })).status).toBe(201);
    expect((await subscribe('healthy', { endpointUrl: healthy.url })).status).toBe(201);
    up = false;
    await roomLife();
    await eventually(() => healthy.events().length === LIFE_TYPES.length, 'the healthy endpoint to get every event');
    // The dead one got its first event once and waits 15–30 s to try again; nothing else reached it.
    expect(dead.attempts).toHaveLength(1);
    expect(dead.accepted).toHaveLength(0);
    expect((await call('GET', '/eventSubscriptions/dead/deadLetters')).status).toBe(200);
  });
});

describe('event subscriptions of two tenants', () => {
  it('keeps each tenant’s subscriptions and dead letters to itself, under the same names', async () => {
    const server = await startServer();
    const endpoint = await startReceiver(null);
    try {
      const asA = (method: string, path: string, body?: unknown) =>
        server.signed(method, `${path}?${VERSION}`, {
          body: body === undefined ? '' : JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      const asB = (method: string, path: string, body?: unknown) =>
        server.signed(method, `${path}?${VERSION}`, {
          key: KEY_B,
          body: body === undefined ? '' : JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      expect((await asA('PUT', '/eventSubscriptions/shared-name', { endpointUrl: endpoint.url })).status).toBe(201);
      expect((await asB('GET', '/eventSubscriptions/shared-name')).status).toBe(404);
      expect((await asB('GET', '/eventSubscriptions/shared-name/deadLetters')).status).toBe(404);
      expect((await asB('POST', '/eventSubscriptions/shared-name/deadLetters/redeliver')).status).toBe(404);
      expect(((await (await asB('GET', '/eventSubscriptions')).json()) as { value: unknown[] }).value).toEqual([]);
      expect((await asB('DELETE', '/eventSubscriptions/shared-name')).status).toBe(204);
      expect((await asA('GET', '/eventSubscriptions/shared-name')).status).toBe(200);
      // B's subscription of the same name is B's own: created, not a replacement of A's.
      expect(
        (await asB('PUT', '/eventSubscriptions/shared-name', { endpointUrl: endpoint.url, eventDeliverySchema: 'CloudEventSchemaV1_0' })).status,
      ).toBe(201);
      expect(((await (await asA('GET', '/eventSubscriptions/shared-name')).json()) as { eventDeliverySchema: string }).eventDeliverySchema).toBe(
        'EventGridSchema',
      );
      // Unsigned, nothing is said.
      expect((await fetch(new URL(`/eventSubscriptions?${VERSION}`, server.endpoint))).status).toBe(401);
    } finally {
      await endpoint.close();
      await server.close();
    }
  });
});
