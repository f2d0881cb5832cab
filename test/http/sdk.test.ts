import { type CommunicationRoom, RoomsClient } from '@azure/communication-rooms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../support/fixtures.js';
import { sdkFailure as failure } from '../support/results.js';
import { startServer, type TestServer } from './server.js';

const user = (n: number | string) => ({ communicationUserId: `8:acs:11111111-1111-1111-1111-111111111111_${n}` });
const MALFORMED = 'The request could not be understood by the server due to malformed syntax.';

describe('the official @azure/communication-rooms SDK against usher', () => {
  let server: TestServer;
  let client: RoomsClient;
  beforeAll(async () => {
    server = await startServer({ pageSize: 2 });
    client = new RoomsClient(server.connectionString(), { allowInsecureConnection: true });
  });
  afterAll(() => server.close());

  it('creates, gets, updates and deletes a room', async () => {
    const validFrom = new Date(Date.now() + 60_000);
    const validUntil = new Date(validFrom.getTime() + DAY);
    const room = await client.createRoom({ validFrom, validUntil, pstnDialOutEnabled: true, participants: [{ id: user(1), role: 'Presenter' }] });
    expect(room).toMatchObject({ validFrom, validUntil, pstnDialOutEnabled: true });
    expect(room.id).toMatch(/^99[0-9]{15}$/);
    expect(room.createdOn).toBeInstanceOf(Date);
    expect(await client.getRoom(room.id)).toEqual(room);
    const later = new Date(validUntil.getTime() + DAY);
    const updated = await client.updateRoom(room.id, { validUntil: later, pstnDialOutEnabled: false });
    expect(updated).toEqual({ ...room, validUntil: later, pstnDialOutEnabled: false });
    expect(await client.updateRoom(room.id)).toEqual(updated);
    await client.deleteRoom(room.id);
    await client.deleteRoom(room.id);
    expect((await failure(client.getRoom(room.id))).statusCode).toBe(404);
    const listing = client.listParticipants(room.id)[Symbol.asyncIterator]();
    expect((await failure(listing.next())).statusCode).toBe(404);
  });

  it('applies the defaults: now, now + 180 days, no dial-out', async () => {
    const before = Date.now();
    const room = await client.createRoom();
    expect(room.validFrom.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(room.validUntil.getTime() - room.validFrom.getTime()).toBe(180 * DAY);
    expect(room.pstnDialOutEnabled).toBe(false);
  });

  it('adds, updates, lists and removes participants, round-tripping all four roles', async () => {
    const room = await client.createRoom();
    const roles = ['Presenter', 'Collaborator', 'Attendee', 'Consumer'] as const;
    await client.addOrUpdateParticipants(
      room.id,
      roles.map((role, index) => ({ id: user(index), role })),
    );
    const listed = [];
    for await (const participant of client.listParticipants(room.id)) listed.push(participant);
    expect(listed.map((p) => [p.id, p.role])).toEqual(roles.map((role, index) => [{ kind: 'communicationUser', ...user(index) }, role]));
    await client.addOrUpdateParticipants(room.id, [{ id: user(3), role: 'Presenter' }]);
    await client.removeParticipants(room.id, [user(0), user('never-added')]);
    const after = [];
    for await (const participant of client.listParticipants(room.id)) after.push([participant.id, participant.role]);
    expect(after).toEqual([
      [{ kind: 'communicationUser', ...user(1) }, 'Collaborator'],
      [{ kind: 'communicationUser', ...user(2) }, 'Attendee'],
      [{ kind: 'communicationUser', ...user(3) }, 'Presenter'],
    ]);
  });

  it('lists rooms newest first across at least three pages', async () => {
    const own = new RoomsClient(server.connectionString(), { allowInsecureConnection: true });
    const created: CommunicationRoom[] = [];
    for (let n = 0; n < 5; n += 1) created.push(await own.createRoom());
    const pages: string[][] = [];
    for await (const page of own.listRooms().byPage()) pages.push(page.map((room) => room.id));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const all = pages.flat();
    expect(new Set(all).size).toBe(all.length);
    const createdIds = created.map((room) => room.id).reverse();
    expect(all.slice(0, 5)).toEqual(createdIds);
  });

  it('E1: a room id of the wrong length', async () => {
    for (const call of [client.getRoom('123'), client.updateRoom('invalid_id', {}), client.deleteRoom('invalid_id')]) {
      expect(await failure(call)).toMatchObject({ statusCode: 400, code: 'BadRequest', message: 'Invalid room ID length.' });
    }
  });

  it('E2: a room id that is not digits', async () => {
    for (const call of [client.getRoom('non-existingroomId'), client.updateRoom('non-existingroomId', {})]) {
      expect(await failure(call)).toMatchObject({ statusCode: 400, code: 'BadRequest', message: 'Invalid room ID.' });
    }
  });

  it('E3: a well-formed id that does not exist, or was deleted', async () => {
    const gone = await client.createRoom();
    await client.deleteRoom(gone.id);
    for (const call of [client.getRoom('78469124725336262'), client.updateRoom(gone.id, { pstnDialOutEnabled: true }), client.getRoom(gone.id)]) {
      expect(await failure(call)).toMatchObject({ statusCode: 404, code: 'NotFound', message: 'The server cannot find the requested resource.' });
    }
  });

  it('E4: validUntil in the past, on create and on update', async () => {
    const room = await client.createRoom();
    for (const call of [
      client.createRoom({ validUntil: new Date(Date.now() - 60_000) }),
      client.updateRoom(room.id, { validUntil: new Date(Date.now() - 60_000) }),
    ]) {
      const error = await failure(call);
      expect(error).toMatchObject({ statusCode: 400, code: 'BadRequest', message: MALFORMED });
      expect(error.details?.error?.details).toEqual([{ code: 'BadArgument', message: 'The time range end is in the past.', target: 'ValidUntil' }]);
    }
  });

  it('E5: a window longer than 180 days, on create and on update', async () => {
    const room = await client.createRoom();
    const now = Date.now();
    for (const call of [
      client.createRoom({ validFrom: new Date(now), validUntil: new Date(now + 200 * DAY) }),
      client.createRoom({ validFrom: new Date(now + 3 * DAY), validUntil: new Date(now + 203 * DAY) }),
      client.updateRoom(room.id, { validUntil: new Date(now + 200 * DAY) }),
    ]) {
      const error = await failure(call);
      expect(error).toMatchObject({ statusCode: 400, code: 'BadRequest', message: MALFORMED });
      expect(error.details?.error?.details).toEqual([
        { code: 'BadArgument', message: 'The time range is incorrect, or larger than 180 days.', target: 'ValidUntil' },
      ]);
    }
  });

  it('E6: validFrom more than 180 days ahead', async () => {
    const error = await failure(client.createRoom({ validFrom: new Date(Date.now() + 210 * DAY) }));
    expect(error).toMatchObject({ statusCode: 400, code: 'BadRequest', message: MALFORMED });
    expect(error.details?.error?.details).toEqual([
      { code: 'BadArgument', message: 'Value is incorrect or more than 180 days in the future.', target: 'ValidFrom' },
    ]);
  });

  it('E7: a participant that is not a communication identifier, on create', async () => {
    const error = await failure(client.createRoom({ participants: [{ id: { communicationUserId: 'wrong_mri' }, role: 'Attendee' }] }));
    expect(error).toMatchObject({ statusCode: 400, code: 'BadRequest', message: 'Invalid format for communication identifier.' });
  });

  it('E8: a participant that is not a communication identifier, on add and on remove', async () => {
    const room = await client.createRoom();
    for (const call of [
      client.addOrUpdateParticipants(room.id, [{ id: { communicationUserId: 'wrong_mri' }, role: 'Attendee' }]),
      client.removeParticipants(room.id, [{ communicationUserId: 'wrong_mri' }]),
    ]) {
      expect(await failure(call)).toMatchObject({ statusCode: 400, code: 'BadRequest', message: 'Invalid value for the Participants.' });
    }
  });

  it('E9: an unknown role (the JS SDK refuses it client-side, so sent signed as the Python SDK would)', async () => {
    const room = await client.createRoom();
    const rawId = user(1).communicationUserId;
    const response = await server.signed('PATCH', `/rooms/${room.id}/participants?api-version=2025-03-13`, {
      body: JSON.stringify({ participants: { [rawId]: { role: 'Kafka' } } }),
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-ms-error-code')).toBe('BadRequest');
    const body = (await response.json()) as { error: { message: string; details: { code: string; message: string; target: string }[] } };
    expect(body.error.message).toBe(MALFORMED);
    expect(body.error.details).toEqual([
      { code: 'BadArgument', message: 'The updateParticipantsRequestDto field is required.', target: 'updateParticipantsRequestDto' },
      {
        code: 'BadArgument',
        message: `The JSON value could not be converted to Microsoft.AzureCommunicationService.Rooms.Api.Contracts.V2025_03_13.RoleDto. Path: $.participants.${rawId}.role.`,
        target: `$.participants.${rawId}.role`,
      },
    ]);
  });

  describe('repeatable create', () => {
    const create = (id: string, firstSent: Date, body = '{"participants":{}}') =>
      server.signed('POST', '/rooms?api-version=2025-03-13', {
        body,
        headers: { 'content-type': 'application/json', 'repeatability-request-id': id, 'repeatability-first-sent': firstSent.toUTCString() },
      });

    it('answers a replay with the original room, and a changed body with 400', async () => {
      const id = crypto.randomUUID();
      const sent = new Date();
      const first = await create(id, sent);
      expect(first.status).toBe(201);
      expect(first.headers.get('repeatability-result')).toBe('accepted');
      const room = (await first.json()) as { id: string };
      expect(first.headers.get('location')).toBe(room.id);
      const replay = await create(id, sent);
      expect(replay.status).toBe(201);
      expect(await replay.json()).toEqual(room);
      // A create without the headers is no repeatable request, and its answer says nothing of repeatability.
      const plain = await server.signed('POST', '/rooms?api-version=2025-03-13', { body: '{}', headers: { 'content-type': 'application/json' } });
      expect(plain.status).toBe(201);
      expect(plain.headers.has('repeatability-result')).toBe(false);
      const mismatch = await create(id, sent, '{"participants":{},"pstnDialOutEnabled":true}');
      expect(mismatch.status).toBe(400);
      expect(mismatch.headers.get('repeatability-result')).toBe('rejected');
      let listed = 0;
      for await (const listedRoom of client.listRooms()) if (listedRoom.id === room.id) listed += 1;
      expect(listed).toBe(1);
    });

    it('creates one room for copies of one request that race each other', async () => {
      const slow = await startServer({ readLatencyMs: 5 });
      const id = crypto.randomUUID();
      const sent = new Date();
      const headers = { 'content-type': 'application/json', 'repeatability-request-id': id, 'repeatability-first-sent': sent.toUTCString() };
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => slow.signed('POST', '/rooms?api-version=2025-03-13', { body: '{"participants":{}}', headers })),
      );
      await slow.close();
      expect(responses.map((response) => response.status)).toEqual(responses.map(() => 201));
      const ids = new Set(await Promise.all(responses.map(async (response) => ((await response.json()) as { id: string }).id)));
      expect(ids.size).toBe(1);
    });

    it('refuses a first-sent outside the 5-minute window with 412, and bad headers with 400', async () => {
      const stale = await create(crypto.randomUUID(), new Date(Date.now() - 6 * 60_000));
      expect(stale.status).toBe(412);
      expect(stale.headers.get('repeatability-result')).toBe('rejected');
      expect((await create('not-a-uuid', new Date())).status).toBe(400);
      const badDate = await server.signed('POST', '/rooms?api-version=2025-03-13', {
        body: '{}',
        headers: { 'content-type': 'application/json', 'repeatability-request-id': crypto.randomUUID(), 'repeatability-first-sent': 'yesterday' },
      });
      expect(badDate.status).toBe(400);
    });
  });

  it('speaks 2023-06-14 (no dial-out flag, no Collaborator) and 2025-03-13', async () => {
    const old = new RoomsClient(server.connectionString(), { allowInsecureConnection: true, apiVersion: '2023-06-14' } as never);
    const room = await old.createRoom();
    expect(room).not.toHaveProperty('pstnDialOutEnabled');
    expect(await old.getRoom(room.id)).not.toHaveProperty('pstnDialOutEnabled');
    expect((await failure(old.addOrUpdateParticipants(room.id, [{ id: user(1), role: 'Collaborator' }]))).statusCode).toBe(400);
    expect((await failure(old.createRoom({ pstnDialOutEnabled: true }))).statusCode).toBe(400);
    expect(await client.getRoom(room.id)).toHaveProperty('pstnDialOutEnabled', false);
  });
});
