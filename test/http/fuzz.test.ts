import { API_VERSIONS, IDENTITY_API_VERSIONS, signRequest } from '@usher/http-adapter';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProperty, numRuns } from '../support/fast-check.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { KEY_A, startServer, type TestServer } from './server.js';

const rawIds = fc.oneof(
  fc.constantFrom('8:acs:r_1', '8:acs:r_2', '8:spool:x', 'wrong_mri', '', '8:acs:', '4:+14255550123'),
  fc.string({ maxLength: 30 }),
);
const roles = fc.oneof(fc.constantFrom('Presenter', 'Collaborator', 'Attendee', 'Consumer', 'presenter', 'Kafka', null), fc.anything());
const instants = fc.oneof(
  fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('2024-01-04T13:46:18', 'not a date', '2024-02-30T00:00:00Z', null, 17),
  fc.string({ maxLength: 10 }),
);
const participantMap = fc.dictionary(rawIds, fc.oneof(fc.constant(null), fc.record({ role: roles }, { requiredKeys: [] }), fc.anything()), {
  maxKeys: 6,
});

const bodies: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(''),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        validFrom: instants,
        validUntil: instants,
        pstnDialOutEnabled: fc.oneof(fc.boolean(), fc.anything()),
        participants: participantMap,
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.record({ participants: participantMap }).map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '{"participants":{},"participants":{}}',
    '{"a":1,"a":2}',
    '{',
    'null',
    '[]',
    '"text"',
    '\uFEFF{}',
    '{"participants":{"8:acs:r_1":{"role":"Presenter","role":"Consumer"}}}',
  ),
  fc
    .integer({ min: 1001, max: 2000 })
    .map((count) =>
      JSON.stringify({ participants: Object.fromEntries(Array.from({ length: count }, (_, n) => [`8:acs:r_${n}`, { role: 'Attendee' }])) }),
    ),
  fc.constant(`{"pad":"${'x'.repeat(1024 * 1024)}"}`),
  fc.string({ maxLength: 50 }),
);

/** Bodies nested up to 100,000 deep (objects, arrays, both, balanced or not): parsers that recurse per level must never see them. */
const deepBodies: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 100_000 })),
    fc.constantFrom('object', 'array', 'mixed', 'unclosed', 'in participants'),
  )
  .map(([depth, shape]) => {
    if (shape === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    if (shape === 'mixed') return `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
    if (shape === 'unclosed') return `{"participants":${'['.repeat(depth)}`;
    return `{"participants":{"8:acs:r_1":${'{"role":'.repeat(depth)}"Presenter"${'}'.repeat(depth)}}}`;
  });

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
/** Keys across the whole integer range, and thick around the bounds a version can have (1 and 2^31 - 1). */
const integerKeys = fc.oneof(
  fc.integer({ min: 2_147_483_600, max: 2_147_483_700 }),
  fc.integer({ min: -3, max: 3 }),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constantFrom(4_294_967_296, Number.MAX_SAFE_INTEGER),
);
/** A page token of `list`, as this server writes them or not quite. */
const tokenOf = (list: string): fc.Arbitrary<string> =>
  fc.oneof(
    integerKeys.map((key) => base64url(`${list}:${key}`)),
    fc
      .tuple(fc.date({ noInvalidDate: true }), fc.constantFrom('99123456789012345', '123', '1'.repeat(18), ''))
      .map(([date, roomId]) => base64url(`${list}:${date.toISOString()},${roomId}`)),
    integerKeys.map((key) => base64url(`u1.${key}`)),
  );
/** Page tokens this server could not have issued, for every listing, and ones it could have. */
const forgedTokens: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('rooms', 'roster', 'history', 'other').chain(tokenOf),
  fc.base64String({ maxLength: 20 }),
  fc.string({ maxLength: 10 }),
);
/** A listing and a token for it: the token's listing is the one asked for most of the time, so that its keys reach the store. */
const listingsWithTokens = fc
  .constantFrom(
    ['/rooms', 'rooms'],
    ['/rooms/EXISTING/participants', 'roster'],
    ['/rooms/EXISTING/history', 'history'],
    ['/rooms/99000000000000000/history', 'history'],
    ['/rooms/99000000000000000/participants', 'roster'],
  )
  .chain(([path, list]) => fc.tuple(fc.constant(path), fc.oneof({ weight: 4, arbitrary: tokenOf(list) }, { weight: 1, arbitrary: forgedTokens })));

const postgres = postgresUrl();
const servers: { name: string; start: () => Promise<TestServer>; dispose: () => Promise<void> }[] = [
  { name: 'SQLite', start: () => startServer(), dispose: async () => {} },
];
if (postgres !== null) {
  const factory = postgresFactory(postgres);
  servers.push({ name: 'PostgreSQL', start: async () => startServer({ store: await factory.open() }), dispose: () => factory.dispose() });
}

describe.each(servers)('fuzzing the HTTP API on $name', ({ start, dispose }) => {
  let server: TestServer;
  let roomId = '';
  /** A user on the room's roster, with a token for calls; and another user, whose identity the fuzz may revoke or delete. */
  let user = { id: '', token: '' };
  let other = '';
  beforeAll(async () => {
    server = await start();
    const identity = async () => {
      const made = await server.signed('POST', '/identities?api-version=2023-10-01', {
        body: '{"createTokenWithScopes":["voip"]}',
        headers: { 'content-type': 'application/json' },
      });
      const { identity, accessToken } = (await made.json()) as { identity: { id: string }; accessToken: { token: string } };
      return { id: identity.id, token: accessToken.token };
    };
    user = await identity();
    other = (await identity()).id;
    const created = await server.signed('POST', '/rooms?api-version=2025-03-13', {
      body: JSON.stringify({ participants: { '8:acs:r_1': { role: 'Presenter' }, [user.id]: { role: 'Attendee' }, [other]: { role: 'Presenter' } } }),
      headers: { 'content-type': 'application/json' },
    });
    roomId = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await server.close();
    await dispose();
  });

  async function logHead(): Promise<number> {
    let head = 0;
    for (;;) {
      const events = (await server.store.readAll({ afterPosition: head, limit: 10_000 }))._unsafeUnwrap();
      if (events.length === 0) return head;
      head = events[events.length - 1]?.position ?? head;
    }
  }

  it('answers every request with a non-5xx; every 4xx in the ACS error shape; a rejected request changes nothing', async () => {
    const roomIds = fc.oneof(
      fc.constant('EXISTING'),
      fc.stringMatching(/^[0-9]{16,18}$/),
      fc.constantFrom('123', 'invalid_id', 'non-existingroomId', '%2E%2E', 'a%20b'),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
    );
    const rawIds = fc.oneof(fc.constantFrom('USER', 'OTHER', '8:acs:r_1', '8:acs:nobody_1'), fc.string({ maxLength: 12 }).map(encodeURIComponent));
    const paths = fc.oneof(
      fc.constant('/rooms'),
      roomIds.map((id) => `/rooms/${id}`),
      roomIds.map((id) => `/rooms/${id}/participants`),
      roomIds.map((id) => `/rooms/${id}/history`),
      roomIds.map((id) => `/rooms/${id}/state`),
      roomIds.map((id) => `/rooms/${id}/call`),
      roomIds.map((id) => `/rooms/${id}/call/participants`),
      fc.tuple(roomIds, rawIds).map(([id, rawId]) => `/rooms/${id}/call/participants/${rawId}`),
      fc.tuple(roomIds, rawIds).map(([id, rawId]) => `/rooms/${id}/call/participants/${rawId}/mute`),
      roomIds.map((id) => `/rooms/${id}/call/screenShare`),
      roomIds.map((id) => `/rooms/${id}/call/dialOut`),
      fc.constant('/identities'),
      rawIds.map((rawId) => `/identities/${rawId}`),
      fc
        .tuple(rawIds, fc.constantFrom(':issueAccessToken', ':revokeAccessTokens', 'tokens', ':other', ''))
        .map(([rawId, action]) => `/identities/${rawId}/${action}`),
      fc.constantFrom('/healthz', '/openapi.json', '/.well-known/jwks.json', '/', '/rooms/', '/rooms//participants', '/nope', '/identities/'),
      fc.webPath(),
    );
    const queries = fc.record(
      {
        'api-version': fc.oneof(fc.constantFrom(...API_VERSIONS, ...IDENTITY_API_VERSIONS), fc.constantFrom('2022-02-01', 'bogus', '')),
        maxpagesize: fc.oneof(fc.integer({ min: -5, max: 2000 }).map(String), fc.string({ maxLength: 5 })),
        nextLink: forgedTokens,
        at: fc.oneof(instants.map(String), fc.constantFrom('2026-01-05T09:00:00Z', '2026-01-05T09:00:00', '+275760-09-13T00:00:00.000Z')),
        extra: fc.string({ maxLength: 5 }),
      },
      { requiredKeys: [] },
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS'),
      path: paths,
      query: queries,
      body: bodies,
      contentType: fc.option(
        fc.constantFrom('application/json', 'application/merge-patch+json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', ''),
        {
          nil: undefined,
        },
      ),
      headers: fc.dictionary(
        fc.constantFrom('repeatability-request-id', 'repeatability-first-sent', 'x-custom', 'accept'),
        fc.oneof(
          fc.uuid().map(String),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
          fc.string({ maxLength: 10 }).filter((v) => /^[\x20-\x7e]*$/.test(v)),
        ),
      ),
      auth: fc.constantFrom('hmac' as const, 'token' as const, 'forged token' as const, 'none' as const),
    });

    const statuses = new Map<number, number>();
    const validRawId = fc.integer({ min: 1, max: 20 }).map((n) => `8:acs:r_${n}`);
    const validParticipants = fc.dictionary(validRawId, fc.record({ role: fc.constantFrom('Presenter', 'Collaborator', 'Attendee', 'Consumer') }), {
      maxKeys: 4,
    });
    const wellFormed = fc.oneof(
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant('/rooms'),
        body: fc.record({ participants: validParticipants, pstnDialOutEnabled: fc.boolean() }).map((value) => JSON.stringify(value)),
        contentType: fc.constant('application/json'),
      }),
      fc.record({
        method: fc.constant('PATCH'),
        path: fc.constant('/rooms/EXISTING/participants'),
        body: fc
          .dictionary(validRawId, fc.oneof(fc.constant(null), fc.record({ role: fc.constantFrom('Presenter', 'Attendee') })), { maxKeys: 4 })
          .map((participants) => JSON.stringify({ participants })),
        contentType: fc.constant('application/merge-patch+json'),
      }),
      fc.record({
        method: fc.constantFrom('GET'),
        path: fc.constantFrom('/rooms', '/rooms/EXISTING', '/rooms/EXISTING/participants', '/rooms/EXISTING/history', '/rooms/EXISTING/state'),
        body: fc.constant(undefined),
        contentType: fc.constant(undefined),
      }),
    );
    // Well-formed but for one thing, so that each gate (content type, size) is reached by signed requests too.
    type Valid = { method: string; path: string; body: string | undefined; contentType: string | undefined };
    const nearlyWellFormed = fc
      .tuple(
        wellFormed as fc.Arbitrary<Valid>,
        fc.constantFrom('none', 'none', 'text/plain', 'no content type', 'oversized', 'deep', 'deep', 'forged token', 'forged token'),
        deepBodies,
        listingsWithTokens,
      )
      .map(([valid, flaw, deep, [listing, token]]): Valid & { token?: string } => {
        if (flaw === 'deep')
          return { ...valid, body: deep, contentType: valid.method === 'POST' ? 'application/json' : 'application/merge-patch+json' };
        if (flaw === 'forged token') return { method: 'GET', path: listing, body: undefined, contentType: undefined, token };
        if (flaw === 'text/plain') return { ...valid, contentType: 'text/plain' };
        if (flaw === 'no content type') return { ...valid, contentType: undefined };
        if (flaw === 'oversized') return { ...valid, body: `{"pad":"${'x'.repeat(1024 * 1024)}"}` };
        return valid;
      })
      .map(({ token, ...valid }) => ({
        ...valid,
        query: token === undefined ? { 'api-version': '2025-03-13' } : { 'api-version': '2025-03-13', nextLink: token },
        headers: {},
        auth: 'hmac' as const,
      }));

    // A user on the roster acting with their token, and a server acting for them: joins, leaves, refusals of rights.
    const callActs = fc
      .tuple(
        fc.constantFrom(
          ['POST', '/rooms/EXISTING/call/participants'],
          ['GET', '/rooms/EXISTING/call'],
          ['DELETE', '/rooms/EXISTING/call/participants/USER'],
          ['DELETE', '/rooms/EXISTING/call/participants/OTHER'],
          ['PUT', '/rooms/EXISTING/call/screenShare'],
          ['POST', '/rooms/EXISTING/call/participants/OTHER/mute'],
          ['POST', '/rooms/EXISTING/call/dialOut'],
        ),
        fc.constantFrom('token' as const, 'hmac' as const),
        fc.constantFrom('USER', 'OTHER'),
      )
      .map(([[method, path], auth, member]) => ({
        method: method as string,
        path: path as string,
        body:
          method === 'GET' || method === 'DELETE'
            ? undefined
            : JSON.stringify(path.endsWith('dialOut') ? { phoneNumber: '+14255550123' } : auth === 'hmac' ? { id: member } : {}),
        contentType: method === 'GET' || method === 'DELETE' ? undefined : 'application/json',
        query: { 'api-version': '2025-03-13' },
        headers: {},
        auth,
      }));

    await assertProperty(
      fc.asyncProperty(
        fc.oneof({ weight: 3, arbitrary: request }, { weight: 2, arbitrary: nearlyWellFormed }, { weight: 1, arbitrary: callActs }),
        async (input) => {
          const url = new URL(server.endpoint);
          const named = (text: string) => text.replaceAll('EXISTING', roomId).replaceAll('USER', user.id).replaceAll('OTHER', other);
          url.pathname = named(input.path);
          for (const [name, value] of Object.entries(input.query)) url.searchParams.set(name, value);
          const body = ['GET', 'DELETE', 'OPTIONS'].includes(input.method) || input.body === undefined ? undefined : named(input.body);
          const headers: Record<string, string> = { ...input.headers };
          if (input.contentType !== undefined) headers['content-type'] = input.contentType;
          if (input.auth === 'hmac') Object.assign(headers, signRequest({ method: input.method, url, body: body ?? '', date: new Date() }, KEY_A));
          if (input.auth === 'token') headers.authorization = `Bearer ${user.token}`;
          if (input.auth === 'forged token') headers.authorization = `Bearer ${user.token.slice(0, -4)}AAAA`;
          const before = await logHead();
          const response = await fetch(url, { method: input.method, body, headers });
          const text = await response.text();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(response.status, `${input.method} ${url} -> ${text.slice(0, 300)}`).toBeLessThan(500);
          if (response.status >= 400) {
            const parsed = JSON.parse(text) as { error: { code: unknown; message: unknown } };
            expect(typeof parsed.error.code).toBe('string');
            expect(typeof parsed.error.message).toBe('string');
            expect(response.headers.get('x-ms-error-code')).toBe(parsed.error.code);
            expect(await logHead(), 'a rejected request wrote nothing').toBe(before);
          }
        },
      ),
      numRuns(500),
    );
    // The generators must get past each gate, or the property says little about what lies behind it.
    for (const status of [200, 201, 204, 400, 401, 403, 404, 413, 415])
      expect(statuses.get(status) ?? 0, `responses with status ${status}`).toBeGreaterThan(0);
  });
});
