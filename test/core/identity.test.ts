import {
  createRoomService,
  decideIdentity,
  evolveIdentity,
  type IdentityCommand,
  type IdentityEvent,
  type IdentityState,
  parseScopes,
  parseTokenLifetime,
  type TenantId,
} from '@usher/core';
import { joseAccessTokens, rotateSigningKey } from '@usher/core/runtime';
import { createMemoryStore } from '@usher/store-memory';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { at, HOUR, MINUTE, manualClock, participant, sequentialIds, T0, tenant } from '../support/fixtures.js';
import { errValue, okValue } from '../support/results.js';

const alice = participant('alice');
const iso = (date: Date) => date.toISOString();

/** Given/when/then over the identity decider, as a fold. */
function given(history: readonly IdentityEvent[] = []) {
  const state = history.reduce<IdentityState>(evolveIdentity, { status: 'absent' });
  return {
    when(command: IdentityCommand, now: Date = T0) {
      const decision = decideIdentity(command, state, now);
      return {
        thenEmits: (expected: readonly IdentityEvent[]) => expect(decision.isOk() ? decision.value : decision.error).toEqual(expected),
        thenFails: (type: string) => expect(decision.isErr() ? decision.error : decision.value).toMatchObject({ type }),
      };
    },
  };
}

const created: IdentityEvent = { type: 'IdentityCreated', data: { identityId: alice, createdAt: iso(T0) } };
const issue = (tokenId: string, expiresInMinutes = 60): IdentityCommand => ({
  type: 'IssueAccessToken',
  tokenId,
  scopes: ['voip'],
  expiresInMinutes,
});

describe('the identity decider', () => {
  it('creates an identity once', () => {
    given().when({ type: 'CreateIdentity', identityId: alice }).thenEmits([created]);
    given([created]).when({ type: 'CreateIdentity', identityId: alice }).thenFails('IdentityAlreadyExists');
  });

  it('issues tokens of the current generation, expiring on a whole second', () => {
    const now = new Date(T0.getTime() + 1_234);
    given([created])
      .when(issue('t1', 60), now)
      .thenEmits([
        {
          type: 'AccessTokenIssued',
          data: { tokenId: 't1', scopes: ['voip'], issuedAt: iso(now), expiresOn: iso(new Date(T0.getTime() + HOUR + 1_000)), generation: 0 },
        },
      ]);
  });

  it('starts a new generation on revocation: tokens issued before it are dead, new ones belong to it', () => {
    const revoked: IdentityEvent = { type: 'AccessTokensRevoked', data: { generation: 1, revokedAt: iso(T0) } };
    given([created]).when({ type: 'RevokeAccessTokens' }).thenEmits([revoked]);
    given([created, revoked])
      .when({ type: 'RevokeAccessTokens' })
      .thenEmits([{ type: 'AccessTokensRevoked', data: { generation: 2, revokedAt: iso(T0) } }]);
    given([created, revoked])
      .when(issue('t2'))
      .thenEmits([
        {
          type: 'AccessTokenIssued',
          data: { tokenId: 't2', scopes: ['voip'], issuedAt: iso(T0), expiresOn: iso(at(HOUR)), generation: 1 },
        },
      ]);
  });

  it('refuses everything on an identity that does not exist, or was deleted', () => {
    const deleted: IdentityEvent = { type: 'IdentityDeleted', data: { deletedAt: iso(T0) } };
    given([created]).when({ type: 'DeleteIdentity' }).thenEmits([deleted]);
    for (const history of [[], [created, deleted]]) {
      for (const command of [issue('t'), { type: 'RevokeAccessTokens' } as const, { type: 'DeleteIdentity' } as const]) {
        given(history).when(command).thenFails('IdentityNotFound');
      }
    }
    given([created, deleted]).when({ type: 'CreateIdentity', identityId: alice }).thenFails('IdentityAlreadyExists');
  });

  it('takes ACS’s scopes and lifetimes only, naming the field', () => {
    expect(parseScopes(['voip', 'chat', 'voip'], 'scopes')._unsafeUnwrap()).toEqual(['voip', 'chat']);
    for (const bad of [[], ['video'], 'voip', [1]]) expect(parseScopes(bad, 'scopes')._unsafeUnwrapErr()).toMatchObject({ field: 'scopes' });
    expect(parseTokenLifetime(undefined, 'expiresInMinutes')._unsafeUnwrap()).toBe(1440);
    for (const good of [60, 1440]) expect(parseTokenLifetime(good, 'expiresInMinutes')._unsafeUnwrap()).toBe(good);
    for (const bad of [59, 1441, 60.5, '60', -1]) {
      expect(parseTokenLifetime(bad, 'expiresInMinutes')._unsafeUnwrapErr()).toMatchObject({
        type: 'InvalidTokenLifetime',
        field: 'expiresInMinutes',
      });
    }
  });
});

describe('identities and tokens through the service', () => {
  function setup() {
    const store = createMemoryStore();
    const clock = manualClock();
    const service = createRoomService({ store, clock, ids: sequentialIds(1), tokens: joseAccessTokens(store.signingKeys, clock) });
    return { store, clock, service, tenantId: tenant('contoso') as TenantId };
  }

  it('refuses a token from its expiry on, and says so', async () => {
    const { clock, service, tenantId } = setup();
    const made = await okValue(service.createIdentity(tenantId, { scopes: ['voip'], expiresInMinutes: 60 }));
    const token = made.token?.token ?? '';
    clock.set(new Date(Date.parse(made.token?.expiresOn ?? '') - 1));
    expect((await okValue(service.authorizeToken(token, { forCalls: true }))).identityId).toBe(made.identityId);
    clock.set(new Date(made.token?.expiresOn ?? ''));
    expect(await errValue(service.authorizeToken(token))).toMatchObject({ type: 'InvalidToken', reason: 'expired' });
  });

  it('refuses a chat-only token for calls, and accepts voip.join', async () => {
    const { service, tenantId } = setup();
    const chat = await okValue(service.createIdentity(tenantId, { scopes: ['chat'] }));
    expect(await errValue(service.authorizeToken(chat.token?.token ?? '', { forCalls: true }))).toMatchObject({ type: 'TokenScopeDenied' });
    const join = await okValue(service.issueToken({ tenantId, identityId: chat.identityId }, ['voip.join']));
    expect((await okValue(service.authorizeToken(join.token, { forCalls: true }))).scopes).toEqual(['voip.join']);
  });

  it('signs with the newest key after a rotation; tokens of the older key, and of another node, verify until they expire', async () => {
    const { store, clock, service, tenantId } = setup();
    const otherNode = joseAccessTokens(store.signingKeys, clock);
    const made = await okValue(service.createIdentity(tenantId, { scopes: ['voip'] }));
    const before = made.token?.token ?? '';
    const first = decodeProtectedHeader(before).kid;

    const rotated = await okValue(rotateSigningKey(store.signingKeys, clock));
    clock.advance(31_000); // nodes look for a newer key every 30 s
    const after = await okValue(service.issueToken({ tenantId, identityId: made.identityId }, ['voip']));
    expect(decodeProtectedHeader(after.token).kid).toBe(rotated.kid);
    expect(rotated.kid).not.toBe(first);
    for (const token of [before, after.token]) {
      expect((await okValue(service.authorizeToken(token))).identityId).toBe(made.identityId);
      expect((await okValue(otherNode.verify(token, clock.now()))).sub).toBe(made.identityId);
    }
    const published = await okValue(service.publicKeys());
    expect(published.keys.map((key) => key.kid)).toEqual([first, rotated.kid]);
    for (const key of published.keys) expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('answers which tokens a user could hold at an instant, from the log', async () => {
    const { clock, service, tenantId } = setup();
    clock.set(new Date('2026-01-05T14:00:00Z'));
    const made = await okValue(service.createIdentity(tenantId, { scopes: ['voip'], expiresInMinutes: 60 }));
    const key = { tenantId, identityId: made.identityId };
    clock.advance(2 * MINUTE);
    const second = await okValue(service.issueToken(key, ['chat', 'voip']));
    clock.advance(3 * MINUTE); // 14:05
    await okValue(service.revokeTokens(key));
    clock.advance(MINUTE); // 14:06
    const third = await okValue(service.issueToken(key, ['voip'], 60));
    clock.advance(4 * MINUTE); // 14:10
    await okValue(service.deleteIdentity(key));

    const held = async (instant: string) => (await okValue(service.tokensAt(key, new Date(instant)))).tokens.map((token) => token.tokenId);
    expect(await held('2026-01-05T13:59:59Z')).toEqual([]);
    expect(await held('2026-01-05T14:03:00Z')).toEqual([made.token?.tokenId, second.tokenId]);
    expect(await held('2026-01-05T14:05:00Z')).toEqual([]);
    expect(await held('2026-01-05T14:07:00Z')).toEqual([third.tokenId]);
    expect(await held('2026-01-05T14:10:00Z')).toEqual([]);
    expect((await okValue(service.tokensAt(key, new Date('2026-01-05T14:03:00Z')))).tokens[1]).toMatchObject({
      scopes: ['chat', 'voip'],
      issuedAt: '2026-01-05T14:02:00.000Z',
    });
    expect(await errValue(service.tokensAt({ tenantId, identityId: participant('nobody') }))).toMatchObject({ type: 'IdentityNotFound' });
  });

  it('ejects a deleted identity from the call of every room whose roster holds it', async () => {
    const { store, service, tenantId } = setup();
    const made = await okValue(service.createIdentity(tenantId));
    const rooms = [];
    for (let n = 0; n < 2; n += 1) {
      const room = await okValue(
        service.createRoom(tenantId, {
          participants: [
            { id: made.identityId, role: 'Presenter' },
            { id: alice, role: 'Attendee' },
          ],
        }),
      );
      await okValue(service.joinCall(room.stream, made.identityId));
      await okValue(service.joinCall(room.stream, alice));
      rooms.push(room.stream);
    }
    expect(await okValue(service.deleteIdentity({ tenantId, identityId: made.identityId }))).toEqual({ notEjected: [] });
    for (const stream of rooms) {
      const loaded = await okValue(service.loadRoom(stream));
      const call = loaded?.state.status === 'active' ? loaded.state.room.call : null;
      expect(Object.keys(call?.participants ?? {})).toEqual([alice]);
      const history = await okValue(store.readStream(stream));
      expect(history.at(-1)).toMatchObject({ type: 'ParticipantLeftCall', data: { participant: made.identityId, reason: 'identityDeleted' } });
    }
    expect(await errValue(service.getIdentity({ tenantId, identityId: made.identityId }))).toMatchObject({ type: 'IdentityNotFound' });
  });
});
