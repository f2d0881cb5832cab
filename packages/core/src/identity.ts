import { err, ok, type Result } from 'neverthrow';
import type { ParticipantId, TenantId } from './ids.js';
import { sha256 } from './sha256.js';
import type { ValidationError } from './validation-error.js';

/**
 * Communication identities, as the ACS Identity API makes them: users with ids in a tenant, and the
 * access tokens issued to them. Every change is an event in the identity's own stream, so that audit
 * can say which tokens a user could hold at any instant.
 */

/** ACS's token scopes (reference/sdk-wire.md §11). */
export const TOKEN_SCOPES = ['chat', 'voip', 'chat.join', 'chat.join.limited', 'voip.join'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
/** The scopes that let a token's user take part in a call. */
export const CALL_SCOPES: readonly TokenScope[] = ['voip', 'voip.join'];

/** ACS's bounds on a token's lifetime, in minutes. */
export const TOKEN_LIFETIME = { minMinutes: 60, maxMinutes: 1440, defaultMinutes: 1440 } as const;

export type IdentityEvent =
  | { readonly type: 'IdentityCreated'; readonly data: { readonly identityId: ParticipantId; readonly createdAt: string } }
  | {
      readonly type: 'AccessTokenIssued';
      readonly data: {
        readonly tokenId: string;
        readonly scopes: readonly TokenScope[];
        readonly issuedAt: string;
        readonly expiresOn: string;
        /** The identity's revocation generation the token belongs to: a revocation starts the next one. */
        readonly generation: number;
      };
    }
  | { readonly type: 'AccessTokensRevoked'; readonly data: { readonly generation: number; readonly revokedAt: string } }
  | { readonly type: 'IdentityDeleted'; readonly data: { readonly deletedAt: string } };

export type IdentityEventType = IdentityEvent['type'];

export interface Identity {
  readonly id: ParticipantId;
  readonly createdAt: string;
  /** Tokens of this generation are good; revoking starts the next one. */
  readonly generation: number;
  readonly deletedAt: string | null;
}

/** An identity's stream folds to this; a stream with no events is `absent`, as a room's is. */
export type IdentityState = { readonly status: 'absent' } | { readonly status: 'identity'; readonly identity: Identity };

export function evolveIdentity(state: IdentityState, event: IdentityEvent): IdentityState {
  if (event.type === 'IdentityCreated') {
    return { status: 'identity', identity: { id: event.data.identityId, createdAt: event.data.createdAt, generation: 0, deletedAt: null } };
  }
  if (state.status !== 'identity' || state.identity.deletedAt !== null) return state;
  switch (event.type) {
    case 'AccessTokenIssued':
      return state;
    case 'AccessTokensRevoked':
      return { status: 'identity', identity: { ...state.identity, generation: event.data.generation } };
    case 'IdentityDeleted':
      return { status: 'identity', identity: { ...state.identity, deletedAt: event.data.deletedAt } };
  }
}

export type IdentityCommand =
  | { readonly type: 'CreateIdentity'; readonly identityId: ParticipantId }
  | { readonly type: 'IssueAccessToken'; readonly tokenId: string; readonly scopes: readonly TokenScope[]; readonly expiresInMinutes: number }
  | { readonly type: 'RevokeAccessTokens' }
  | { readonly type: 'DeleteIdentity' };

export type IdentityError =
  | { readonly type: 'IdentityNotFound'; readonly identityId: string; readonly message: string }
  | { readonly type: 'IdentityAlreadyExists'; readonly identityId: string; readonly message: string };

function identityNotFound(identityId: string): IdentityError {
  return { type: 'IdentityNotFound', identityId, message: `Identity ${identityId} does not exist or has been deleted.` };
}

/** A live identity: created and not deleted. */
export function liveIdentity(state: IdentityState, identityId: string): Result<Identity, IdentityError> {
  return state.status === 'identity' && state.identity.deletedAt === null ? ok(state.identity) : err(identityNotFound(identityId));
}

/** The events an identity command causes, decided on the identity's state at `now`. */
export function decideIdentity(command: IdentityCommand, state: IdentityState, now: Date): Result<IdentityEvent[], IdentityError> {
  const at = now.toISOString();
  if (command.type === 'CreateIdentity') {
    if (state.status !== 'absent') {
      return err({ type: 'IdentityAlreadyExists', identityId: command.identityId, message: `Identity ${command.identityId} already exists.` });
    }
    return ok([{ type: 'IdentityCreated', data: { identityId: command.identityId, createdAt: at } }]);
  }
  const identityId = state.status === 'identity' ? state.identity.id : '';
  return liveIdentity(state, identityId).map((identity): IdentityEvent[] => {
    if (command.type === 'RevokeAccessTokens') return [{ type: 'AccessTokensRevoked', data: { generation: identity.generation + 1, revokedAt: at } }];
    if (command.type === 'DeleteIdentity') return [{ type: 'IdentityDeleted', data: { deletedAt: at } }];
    // Whole seconds, as the token's `exp` says it: the token is dead from expiresOn on, not a fraction later or sooner.
    const expiresOn = new Date(Math.floor((now.getTime() + command.expiresInMinutes * 60_000) / 1000) * 1000).toISOString();
    return [
      {
        type: 'AccessTokenIssued',
        data: { tokenId: command.tokenId, scopes: command.scopes, issuedAt: at, expiresOn, generation: identity.generation },
      },
    ];
  });
}

/** What a signed access token says; the signature, the algorithm and the expiry are the token port's to check. */
export interface AccessTokenClaims {
  /** The identity's raw id. */
  readonly sub: string;
  /** The tenant that owns the identity. */
  readonly tid: string;
  readonly scp: readonly TokenScope[];
  /** The token's id, as recorded in the identity's AccessTokenIssued event. */
  readonly jti: string;
  /** The revocation generation the token was issued in. */
  readonly gen: number;
  /** Issue and expiry times, seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
}

export function parseScopes(value: unknown, field: string): Result<TokenScope[], ValidationError> {
  const scopes = Array.isArray(value) ? value : [];
  const unknown = scopes.find((scope) => typeof scope !== 'string' || !(TOKEN_SCOPES as readonly string[]).includes(scope));
  if (!Array.isArray(value) || scopes.length === 0 || unknown !== undefined) {
    return err({
      type: 'InvalidScope',
      field,
      value: unknown === undefined ? JSON.stringify(value) : String(unknown),
      message: `${field} must be a non-empty list of ${TOKEN_SCOPES.join(', ')}.`,
    });
  }
  return ok([...new Set(scopes as TokenScope[])]);
}

export function parseTokenLifetime(value: unknown, field: string): Result<number, ValidationError> {
  if (value === undefined || value === null) return ok(TOKEN_LIFETIME.defaultMinutes);
  if (typeof value === 'number' && Number.isInteger(value) && value >= TOKEN_LIFETIME.minMinutes && value <= TOKEN_LIFETIME.maxMinutes) {
    return ok(value);
  }
  return err({
    type: 'InvalidTokenLifetime',
    field,
    value: String(value),
    message: `${field} must be a whole number of minutes from ${TOKEN_LIFETIME.minMinutes} to ${TOKEN_LIFETIME.maxMinutes}.`,
  });
}

/**
 * The resource part of a tenant's identity ids (`8:acs:<resource>_<user>`): a GUID-shaped digest of
 * the tenant id, so that ids of one tenant are recognisably its own and stable across restarts.
 */
export function identityResource(tenantId: TenantId): string {
  const hex = sha256(`usher-identity-resource\u0000${tenantId}`, 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
