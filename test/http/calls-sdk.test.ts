import { CommunicationIdentityClient } from '@azure/communication-identity';
import { RoomsClient } from '@azure/communication-rooms';
import { capabilitiesOf } from '@usher/core';
import { base64url, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkFailure as failure } from '../support/results.js';
import { KEY_B, startServer, type TestServer } from './server.js';

const ROOMS_VERSION = '2025-03-13';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('joining calls with tokens of the official @azure/communication-identity SDK', () => {
  let server: TestServer;
  let identity: CommunicationIdentityClient;
  let rooms: RoomsClient;

  /** A call-API request as a client makes it: the user's token as Bearer. */
  const asUser = (token: string, method: string, path: string, body?: unknown) =>
    fetch(new URL(`${path}${path.includes('?') ? '&' : '?'}api-version=${ROOMS_VERSION}`, server.endpoint), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const join = (token: string, roomId: string) => asUser(token, 'POST', `/rooms/${roomId}/call/participants`);
  const callOf = async (roomId: string) =>
    (await (await server.signed('GET', `/rooms/${roomId}/call?api-version=${ROOMS_VERSION}`)).json()) as {
      active: boolean;
      participants: { id: string; role: string }[];
    };
  const eventCount = async (roomId: string) => {
    const history = await server.signed('GET', `/rooms/${roomId}/history?api-version=${ROOMS_VERSION}&maxPageSize=1000`);
    return ((await history.json()) as { value: unknown[] }).value.length;
  };

  async function expectRefused(response: Response, status: number, subCode?: number) {
    const body = (await response.json()) as { error: { code: string; message: string; subCode?: number } };
    expect({ status: response.status, subCode: body.error.subCode }).toEqual({ status, subCode });
    expect(body.error.message.length).toBeGreaterThan(0);
    return body.error;
  }

  beforeAll(async () => {
    server = await startServer();
    identity = new CommunicationIdentityClient(server.connectionString(), { allowInsecureConnection: true });
    rooms = new RoomsClient(server.connectionString(), { allowInsecureConnection: true });
  });
  afterAll(() => server.close());

  it('issues users and tokens through the SDK, signed ES256 with a published key', async () => {
    const user = await identity.createUser();
    expect(user.communicationUserId).toMatch(/^8:acs:[0-9a-f-]{36}_[0-9a-f-]{36}$/);
    const both = await identity.createUserAndToken(['voip']);
    expect(both.user.communicationUserId).toMatch(/^8:acs:/);
    const lifetime = both.expiresOn.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(1439 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(1440 * 60_000);
    const short = await identity.getToken(user, ['voip', 'chat'], { tokenExpiresInMinutes: 60 });
    expect(short.expiresOn.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);

    const header = decodeProtectedHeader(short.token);
    const claims = decodeJwt(short.token);
    expect(header.alg).toBe('ES256');
    expect(claims).toMatchObject({ sub: user.communicationUserId, tid: 'tenant-a', scp: ['voip', 'chat'] });
    expect(typeof claims.jti).toBe('string');
    expect(claims.exp).toBe(Math.floor(short.expiresOn.getTime() / 1000));
    const jwks = (await (await fetch(new URL('/.well-known/jwks.json', server.endpoint))).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toContain(header.kid);

    await identity.revokeTokens(user);
    await identity.deleteUser(user);
  });

  it('refuses token lifetimes outside 60–1440 minutes, unknown scopes, and unknown or deleted users, in the ACS error shape', async () => {
    const user = await identity.createUser();
    for (const minutes of [59, 1441]) {
      const refused = await server.signed(
        'POST',
        `/identities/${encodeURIComponent(user.communicationUserId)}/:issueAccessToken?api-version=2023-10-01`,
        {
          body: JSON.stringify({ scopes: ['voip'], expiresInMinutes: minutes }),
          headers: { 'content-type': 'application/json' },
        },
      );
      expect(refused.status).toBe(400);
      const error = ((await refused.json()) as { error: { code: string; details: { message: string; target: string }[] } }).error;
      expect(error.code).toBe('BadRequest');
      expect(error.details.map((detail) => `${detail.target}: ${detail.message}`).join('\n')).toMatch(/expiresInMinutes: .*60/);
    }
    expect((await failure(identity.getToken(user, ['voip'], { tokenExpiresInMinutes: 30 }))).statusCode).toBe(400);
    const badScope = await server.signed('POST', '/identities?api-version=2023-10-01', {
      body: JSON.stringify({ createTokenWithScopes: ['video'] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(badScope.status).toBe(400);

    const unknown = { communicationUserId: user.communicationUserId.replace(/_.*$/, '_00000000-0000-0000-0000-000000000000') };
    expect((await failure(identity.getToken(unknown, ['voip']))).statusCode).toBe(404);
    expect((await failure(identity.revokeTokens(unknown))).statusCode).toBe(404);
    expect((await failure(identity.deleteUser(unknown))).statusCode).toBe(404);
    await identity.deleteUser(user);
    expect((await failure(identity.getToken(user, ['voip']))).statusCode).toBe(404);
    expect((await failure(identity.deleteUser(user))).statusCode).toBe(404);
    // Another tenant's key does not see the user at all.
    const otherTenant = new CommunicationIdentityClient(server.connectionString(KEY_B), { allowInsecureConnection: true });
    const theirs = await identity.createUser();
    expect((await failure(otherTenant.getToken(theirs, ['voip']))).statusCode).toBe(404);
  });

  it('lets invited users in with their role’s capabilities, once, and refuses everyone else with ACS’s status and subcode', async () => {
    const presenter = await identity.createUserAndToken(['voip']);
    const attendee = await identity.createUserAndToken(['voip']);
    const stranger = await identity.createUserAndToken(['voip']);
    const chatOnly = await identity.createUserAndToken(['chat']);
    const room = await rooms.createRoom({
      validUntil: new Date(Date.now() + 3_600_000),
      participants: [
        { id: presenter.user, role: 'Presenter' },
        { id: attendee.user, role: 'Attendee' },
        { id: chatOnly.user, role: 'Attendee' },
      ],
    });

    const first = await join(presenter.token, room.id);
    expect(first.status).toBe(201);
    const body = await first.json();
    expect(body).toEqual({ id: presenter.user.communicationUserId, role: 'Presenter', capabilities: [...capabilitiesOf('Presenter')] });
    const before = await eventCount(room.id);
    const again = await join(presenter.token, room.id);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);
    expect(await eventCount(room.id)).toBe(before);

    const second = await join(attendee.token, room.id);
    expect(second.status).toBe(201);
    expect(await second.json()).toMatchObject({ role: 'Attendee', capabilities: [...capabilitiesOf('Attendee')] });
    expect((await callOf(room.id)).participants.map((p) => p.role).sort()).toEqual(['Attendee', 'Presenter']);

    // Refused callers append nothing.
    const settled = await eventCount(room.id);
    await expectRefused(await join(stranger.token, room.id), 403, 5828);
    await expectRefused(await join(chatOnly.token, room.id), 403);
    await expectRefused(await join(presenter.token, '99000000000000001'), 404, 5732);
    // An attendee may not remove the presenter; the presenter may remove the attendee.
    await expectRefused(await asUser(attendee.token, 'DELETE', `/rooms/${room.id}/call/participants/${presenter.user.communicationUserId}`), 403);
    expect(await eventCount(room.id)).toBe(settled);
    expect((await asUser(presenter.token, 'DELETE', `/rooms/${room.id}/call/participants/${attendee.user.communicationUserId}`)).status).toBe(204);
    expect((await callOf(room.id)).participants.map((p) => p.id)).toEqual([presenter.user.communicationUserId]);

    await rooms.deleteRoom(room.id);
    await expectRefused(await join(attendee.token, room.id), 404, 5732);
  });

  it('refuses early and late callers with 5829', async () => {
    const user = await identity.createUserAndToken(['voip']);
    const early = await rooms.createRoom({
      validFrom: new Date(Date.now() + 3_600_000),
      validUntil: new Date(Date.now() + 7_200_000),
      participants: [{ id: user.user, role: 'Attendee' }],
    });
    await expectRefused(await join(user.token, early.id), 403, 5829);
    const closing = await rooms.createRoom({ validUntil: new Date(Date.now() + 1_500), participants: [{ id: user.user, role: 'Attendee' }] });
    await sleep(1_600);
    await expectRefused(await join(user.token, closing.id), 403, 5829);
  });

  it('stops a revoked token and a deleted user on the very next request, and ejects the deleted user from the call', async () => {
    const kept = await identity.createUserAndToken(['voip']);
    const revoked = await identity.createUserAndToken(['voip']);
    const deleted = await identity.createUserAndToken(['voip']);
    const room = await rooms.createRoom({
      validUntil: new Date(Date.now() + 3_600_000),
      participants: [kept, revoked, deleted].map(({ user }) => ({ id: user, role: 'Attendee' as const })),
    });
    for (const { token } of [kept, revoked, deleted]) expect((await join(token, room.id)).status).toBe(201);

    await identity.revokeTokens(revoked.user);
    await expectRefused(await asUser(revoked.token, 'GET', `/rooms/${room.id}/call`), 401);
    const fresh = await identity.getToken(revoked.user, ['voip']);
    expect((await asUser(fresh.token, 'GET', `/rooms/${room.id}/call`)).status).toBe(200);

    await identity.deleteUser(deleted.user);
    await expectRefused(await join(deleted.token, room.id), 401);
    expect((await callOf(room.id)).participants.map((p) => p.id).sort()).toEqual(
      [kept.user.communicationUserId, revoked.user.communicationUserId].sort(),
    );
  });

  it('refuses a token of another tenant’s user in this tenant’s room (404 5732: the room is not theirs to see)', async () => {
    const ours = await identity.createUserAndToken(['voip']);
    const otherTenant = new CommunicationIdentityClient(server.connectionString(KEY_B), { allowInsecureConnection: true });
    const theirs = await otherTenant.createUserAndToken(['voip']);
    const room = await rooms.createRoom({ validUntil: new Date(Date.now() + 3_600_000), participants: [{ id: ours.user, role: 'Attendee' }] });
    await expectRefused(await join(theirs.token, room.id), 404, 5732);
  });

  it('refuses missing, malformed and forged tokens with 401: another key under the same kid, alg none, HS256 with the public key, an altered payload', async () => {
    const user = await identity.createUserAndToken(['voip']);
    const room = await rooms.createRoom({ validUntil: new Date(Date.now() + 3_600_000), participants: [{ id: user.user, role: 'Presenter' }] });
    const path = `/rooms/${room.id}/call/participants?api-version=${ROOMS_VERSION}`;
    const missing = await fetch(new URL(path, server.endpoint), { method: 'POST' });
    expect(missing.status).toBe(401);
    for (const malformed of ['Bearer', 'Bearer not-a-jwt', 'Bearer a.b', `Bearer ${user.token}x`]) {
      const response = await fetch(new URL(path, server.endpoint), { method: 'POST', headers: { authorization: malformed } });
      expect(response.status, malformed).toBe(401);
    }

    const [header, payload, signature] = user.token.split('.') as [string, string, string];
    const claims = decodeJwt(user.token);
    const { kid } = decodeProtectedHeader(user.token);
    const other = await generateKeyPair('ES256');
    const wrongKey = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(other.privateKey);
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid }))}.${payload}.`;
    const publicJwk = (await (await fetch(new URL('/.well-known/jwks.json', server.endpoint))).json()) as { keys: unknown[] };
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk.keys[0])));
    const altered = `${header}.${base64url.encode(JSON.stringify({ ...claims, scp: ['voip', 'chat'], exp: (claims.exp ?? 0) + 86_400 }))}.${signature}`;
    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: await calculateJwkThumbprint(await exportJWK(other.publicKey)) })
      .sign(other.privateKey);
    for (const [name, forged] of Object.entries({ wrongKey, none, hs256, altered, unknownKid })) {
      const response = await join(forged, room.id);
      expect(response.status, name).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code, name).toBe('InvalidAccessToken');
    }
    expect((await callOf(room.id)).active).toBe(false);
    expect((await join(user.token, room.id)).status).toBe(201);
  });

  it('publishes the keys so that a media server verifies a token offline', async () => {
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const user = await identity.createUserAndToken(['voip']);
    const jwks = await (await fetch(new URL('/.well-known/jwks.json', server.endpoint))).json();
    const { payload } = await jwtVerify(user.token, createLocalJWKSet(jwks as JSONWebKeySet), { algorithms: ['ES256'], issuer: 'usher' });
    expect(payload.sub).toBe(user.user.communicationUserId);
  });
});
