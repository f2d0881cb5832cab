import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import type { CommandOptions } from './command-result.js';
import type { StoredEvent } from './envelope.js';
import { invalidToken, type UsherError } from './errors.js';
import { isIdentityEvent } from './events.js';
import {
  type AccessTokenClaims,
  CALL_SCOPES,
  decideIdentity,
  evolveIdentity,
  type Identity,
  type IdentityCommand,
  type IdentityEvent,
  type IdentityState,
  identityResource,
  liveIdentity,
  TOKEN_LIFETIME,
  type TokenScope,
} from './identity.js';
import { type LogStreamKey, type ParticipantId, parseParticipantId, type RoomId, type TenantId } from './ids.js';
import type { AccessTokens, Clock, EventStore, IdGenerator, JsonWebKeySet } from './ports.js';
import type { StreamCommandResult, StreamDecider } from './stream-commands.js';
import { asIdentityState, type StreamState } from './stream-state.js';

/** An identity of a tenant, as the Identity API names it. */
export interface IdentityKey {
  readonly tenantId: TenantId;
  readonly identityId: ParticipantId;
}

/** An identity's events live in a stream of their own, under the identity's raw id. */
export const identityStream = (key: IdentityKey): LogStreamKey => ({ tenantId: key.tenantId, roomId: key.identityId });

export interface IssuedToken {
  readonly token: string;
  readonly expiresOn: string;
  readonly tokenId: string;
  readonly scopes: readonly TokenScope[];
}

/** Who a valid access token speaks for. */
export interface Caller {
  readonly tenantId: TenantId;
  readonly identityId: ParticipantId;
  readonly scopes: readonly TokenScope[];
  readonly tokenId: string;
}

/** A token an identity could have used at some instant, from the log. */
export interface HeldToken {
  readonly tokenId: string;
  readonly scopes: readonly TokenScope[];
  readonly issuedAt: string;
  readonly expiresOn: string;
}

export interface TokensAtInstant {
  readonly at: string;
  /** The identity as of the instant; null when it did not exist yet. */
  readonly identity: Identity | null;
  /** The tokens issued by then, not expired, not revoked, and the identity not deleted. */
  readonly tokens: readonly HeldToken[];
}

interface IdentityDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly tokens: AccessTokens | undefined;
  readonly run: (stream: LogStreamKey, decider: StreamDecider, meta?: CommandOptions) => ResultAsync<StreamCommandResult, UsherError>;
  /** Ends `identity`'s part in the call of `room`, if it has one. */
  readonly ejectFromCall: (tenantId: TenantId, room: RoomId, identity: ParticipantId) => ResultAsync<unknown, UsherError>;
}

const tokensUnavailable = { type: 'TokensUnavailable', message: 'This server has no token signer configured.' } as const;

/** One or more identity commands decided together, each on the state the previous ones led to. */
function identityDecider(commands: readonly IdentityCommand[]): StreamDecider {
  return (state: StreamState, now: Date) => {
    let identity = asIdentityState(state) ?? { status: 'absent' };
    const events: IdentityEvent[] = [];
    for (const command of commands) {
      const decided = decideIdentity(command, identity, now);
      if (decided.isErr()) return err(decided.error);
      for (const event of decided.value) identity = evolveIdentity(identity, event);
      events.push(...decided.value);
    }
    return ok({ events, state: identity });
  };
}

export function identityOperations(deps: IdentityDeps) {
  const { store, clock, ids } = deps;

  function sign(tenantId: TenantId, stored: readonly StoredEvent[]): ResultAsync<IssuedToken | null, UsherError> {
    const issued = stored.find((event) => event.type === 'AccessTokenIssued');
    if (issued?.type !== 'AccessTokenIssued') return okAsync(null);
    if (deps.tokens === undefined) return errAsync(tokensUnavailable);
    const { tokenId, scopes, issuedAt, expiresOn, generation } = issued.data;
    const claims: AccessTokenClaims = {
      sub: issued.roomId,
      tid: tenantId,
      scp: scopes,
      jti: tokenId,
      gen: generation,
      iat: Math.floor(Date.parse(issuedAt) / 1000),
      exp: Math.floor(Date.parse(expiresOn) / 1000),
    };
    return deps.tokens.sign(claims).map((token) => ({ token, expiresOn, tokenId, scopes }));
  }

  const issueCommand = (scopes: readonly TokenScope[], expiresInMinutes: number = TOKEN_LIFETIME.defaultMinutes): IdentityCommand => ({
    type: 'IssueAccessToken',
    tokenId: ids.guid(),
    scopes,
    expiresInMinutes,
  });

  /** A new identity of `tenantId`, with a token for `scopes` when asked: one append for both. */
  function createIdentity(
    tenantId: TenantId,
    options: { readonly scopes?: readonly TokenScope[] | undefined; readonly expiresInMinutes?: number | undefined } = {},
    meta: CommandOptions = {},
  ): ResultAsync<{ readonly identityId: ParticipantId; readonly token: IssuedToken | null }, UsherError> {
    if (options.scopes !== undefined && deps.tokens === undefined) return errAsync(tokensUnavailable);
    const identityId = parseParticipantId(`8:acs:${identityResource(tenantId)}_${ids.guid()}`);
    if (identityId.isErr()) return errAsync(identityId.error);
    const commands: IdentityCommand[] = [{ type: 'CreateIdentity', identityId: identityId.value }];
    if (options.scopes !== undefined) commands.push(issueCommand(options.scopes, options.expiresInMinutes));
    const key = { tenantId, identityId: identityId.value };
    return deps
      .run(identityStream(key), identityDecider(commands), meta)
      .andThen((result) => sign(tenantId, result.events))
      .map((token) => ({ identityId: identityId.value, token }));
  }

  function issueToken(
    key: IdentityKey,
    scopes: readonly TokenScope[],
    expiresInMinutes?: number,
    meta: CommandOptions = {},
  ): ResultAsync<IssuedToken, UsherError> {
    if (deps.tokens === undefined) return errAsync(tokensUnavailable);
    return deps
      .run(identityStream(key), identityDecider([issueCommand(scopes, expiresInMinutes)]), meta)
      .andThen((result) => sign(key.tenantId, result.events))
      .andThen((token) => (token === null ? errAsync<IssuedToken, UsherError>(tokensUnavailable) : okAsync(token)));
  }

  /** Every token issued so far stops working, on the very next request that shows one. */
  function revokeTokens(key: IdentityKey, meta: CommandOptions = {}): ResultAsync<void, UsherError> {
    return deps.run(identityStream(key), identityDecider([{ type: 'RevokeAccessTokens' }]), meta).map(() => undefined);
  }

  /**
   * Deletes the identity (its tokens stop working at once) and ejects it from the call of every room
   * whose roster holds it. The ejections follow the deletion; a room that could not be reached is
   * named in `notEjected` (its call refuses the identity anyway: its tokens are dead).
   */
  function deleteIdentity(key: IdentityKey, meta: CommandOptions = {}): ResultAsync<{ readonly notEjected: readonly RoomId[] }, UsherError> {
    return deps
      .run(identityStream(key), identityDecider([{ type: 'DeleteIdentity' }]), meta)
      .andThen(() => store.roomsOfParticipant(key.tenantId, key.identityId))
      .andThen((rooms) =>
        ResultAsync.fromSafePromise(
          (async () => {
            const notEjected: RoomId[] = [];
            for (const room of rooms) {
              const ejected = await deps.ejectFromCall(key.tenantId, room, key.identityId);
              if (ejected.isErr()) notEjected.push(room);
            }
            return { notEjected };
          })(),
        ),
      );
  }

  function loadIdentity(key: IdentityKey): ResultAsync<IdentityState, UsherError> {
    return store
      .loadStream(identityStream(key))
      .map((loaded) => (loaded === null ? { status: 'absent' as const } : (asIdentityState(loaded.state) ?? { status: 'absent' as const })));
  }

  function getIdentity(key: IdentityKey): ResultAsync<Identity, UsherError> {
    return loadIdentity(key).andThen((state) => liveIdentity(state, key.identityId));
  }

  /**
   * Who a token speaks for, checked on every request: its signature, algorithm and expiry (the token
   * port), then against the log's latest word on its identity — deleted, or its tokens revoked, and
   * the token is refused at once. `forCalls` also asks for a scope that allows taking part in calls.
   */
  function authorizeToken(token: string, options: { readonly forCalls?: boolean } = {}): ResultAsync<Caller, UsherError> {
    if (deps.tokens === undefined) return errAsync(tokensUnavailable);
    return deps.tokens.verify(token, clock.now()).andThen((claims) => {
      const identityId = parseParticipantId(claims.sub);
      if (identityId.isErr()) return errAsync<Caller, UsherError>(invalidToken('claims', 'The token names no identity.'));
      const key = { tenantId: claims.tid as TenantId, identityId: identityId.value };
      return loadIdentity(key).andThen((state): Result<Caller, UsherError> => {
        if (state.status !== 'identity' || state.identity.deletedAt !== null) {
          return err(invalidToken('unknownIdentity', 'The token is for an identity that does not exist (any more).'));
        }
        if (claims.gen !== state.identity.generation) return err(invalidToken('revoked', "The token was revoked with all of its identity's tokens."));
        if (options.forCalls === true && !claims.scp.some((scope) => CALL_SCOPES.includes(scope))) {
          return err({
            type: 'TokenScopeDenied',
            scopes: claims.scp,
            message: `The token's scopes (${claims.scp.join(', ')}) do not include ${CALL_SCOPES.join(' or ')}.`,
          });
        }
        return ok({ ...key, scopes: claims.scp, tokenId: claims.jti });
      });
    });
  }

  /** Which tokens the identity could hold at `instant`, by replay of its stream. */
  function tokensAt(key: IdentityKey, instant: Date = clock.now()): ResultAsync<TokensAtInstant, UsherError> {
    return store.readStream(identityStream(key)).andThen((events) => {
      if (events.length === 0)
        return errAsync<TokensAtInstant, UsherError>({
          type: 'IdentityNotFound',
          identityId: key.identityId,
          message: `Identity ${key.identityId} does not exist.`,
        });
      const limit = instant.getTime();
      let state: IdentityState = { status: 'absent' };
      const issued: (HeldToken & { readonly generation: number })[] = [];
      for (const event of events) {
        if (Date.parse(event.meta.at) > limit) break;
        if (!isIdentityEvent(event)) continue;
        if (event.type === 'AccessTokenIssued') issued.push({ ...event.data, scopes: [...event.data.scopes] });
        state = evolveIdentity(state, event);
      }
      const identity = state.status === 'identity' ? state.identity : null;
      const tokens =
        identity === null || identity.deletedAt !== null
          ? []
          : issued
              .filter((token) => token.generation === identity.generation && Date.parse(token.expiresOn) > limit)
              .map(({ generation: _generation, ...token }) => token);
      return okAsync({ at: instant.toISOString(), identity, tokens });
    });
  }

  function publicKeys(): ResultAsync<JsonWebKeySet, UsherError> {
    return deps.tokens === undefined ? errAsync(tokensUnavailable) : deps.tokens.publicKeys();
  }

  return { createIdentity, issueToken, revokeTokens, deleteIdentity, getIdentity, authorizeToken, tokensAt, publicKeys };
}
