import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { type AccessError, invalidToken, type StoreError, storeFailure } from '../errors.js';
import { type AccessTokenClaims, TOKEN_SCOPES, type TokenScope } from '../identity.js';
import type { AccessTokens, Clock, JsonWebKeySet, SigningKey, SigningKeys } from '../ports.js';

/** The one algorithm tokens are signed and accepted with: ECDSA P-256 with SHA-256. */
export const TOKEN_ALGORITHM = 'ES256';
export const TOKEN_ISSUER = 'usher';
/** How long a node goes on signing with the keys it loaded before it looks for a newer one (e.g. after `usher keys rotate`). */
const KEY_REFRESH_MS = 30_000;

/** A new signing key: an ES256 pair as JWKs, named by its public key's RFC 7638 thumbprint. */
export async function newSigningKey(now: Date): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    createdAt: now.toISOString(),
    privateJwk: JSON.stringify({ ...privateJwk, kid, alg: TOKEN_ALGORITHM }),
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg: TOKEN_ALGORITHM, use: 'sig' }),
  };
}

/** Adds a new signing key: it signs from then on; tokens signed with older keys verify until they expire. */
export function rotateSigningKey(keys: SigningKeys, clock: Clock): ResultAsync<SigningKey, StoreError> {
  return ResultAsync.fromSafePromise(newSigningKey(clock.now())).andThen((key) => keys.add(key).map(() => key));
}

const failed = (what: string) => (cause: unknown) => storeFailure(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, cause);

function claimsOf(payload: Record<string, unknown>): AccessTokenClaims | null {
  const { sub, tid, scp, jti, gen, iat, exp } = payload;
  const scopes = Array.isArray(scp) && scp.every((scope) => (TOKEN_SCOPES as readonly unknown[]).includes(scope)) ? (scp as TokenScope[]) : null;
  if (typeof sub !== 'string' || typeof tid !== 'string' || scopes === null || typeof jti !== 'string') return null;
  if (typeof gen !== 'number' || typeof iat !== 'number' || typeof exp !== 'number') return null;
  return { sub, tid, scp: scopes, jti, gen, iat, exp };
}

/**
 * Access tokens as asymmetric JWTs (jose): ES256 only, `kid` in the header, the key set kept in the
 * store so that every node signs and verifies with the same keys. The newest key signs; every key
 * verifies, so tokens signed before a rotation stay good until they expire. A node that meets an
 * unknown `kid` reloads the keys once (another node may have rotated).
 */
export function joseAccessTokens(keys: SigningKeys, clock: Clock): AccessTokens {
  let loaded: { at: number; keys: readonly SigningKey[] } | null = null;
  // Importing a JWK costs more than verifying with it: each key is imported once per node.
  const imported = new Map<string, ReturnType<typeof importJWK>>();
  const importOnce = (jwk: string, use: 'public' | 'private') => {
    const cacheKey = `${use}\u0000${jwk}`;
    let key = imported.get(cacheKey);
    if (key === undefined) {
      key = importJWK(JSON.parse(jwk) as JWK, TOKEN_ALGORITHM);
      key.catch(() => imported.delete(cacheKey));
      imported.set(cacheKey, key);
    }
    return key;
  };

  const load = (): ResultAsync<readonly SigningKey[], StoreError> =>
    keys.list().andThen((list) => {
      if (list.length > 0) return okAsync(list);
      // The first node to need a key makes one; nodes racing each other make one each, and all verify.
      return rotateSigningKey(keys, clock).andThen(() => keys.list());
    });

  /** The keys, reloaded when older than KEY_REFRESH_MS, or on `fresh` (at most once a second: unknown kids cost a read each). */
  const current = (fresh = false): ResultAsync<readonly SigningKey[], StoreError> => {
    const now = clock.now().getTime();
    const age = loaded === null ? Number.POSITIVE_INFINITY : now - loaded.at;
    if (loaded !== null && (fresh ? age < 1000 : age < KEY_REFRESH_MS)) return okAsync(loaded.keys);
    return load().map((list) => {
      loaded = { at: now, keys: list };
      return list;
    });
  };

  const verifyWith = (token: string, key: SigningKey, now: Date): ResultAsync<AccessTokenClaims, AccessError | StoreError> =>
    ResultAsync.fromPromise(importOnce(key.publicJwk, 'public'), failed('Reading a signing key failed')).andThen((publicKey) =>
      ResultAsync.fromPromise(
        jwtVerify(token, publicKey, { algorithms: [TOKEN_ALGORITHM], issuer: TOKEN_ISSUER, currentDate: now }),
        (cause): AccessError => {
          const code = (cause as { code?: string }).code;
          if (code === 'ERR_JWT_EXPIRED') return invalidToken('expired', 'The token has expired.');
          if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return invalidToken('algorithm', `Tokens are signed with ${TOKEN_ALGORITHM} only.`);
          if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return invalidToken('signature', 'The token signature does not verify.');
          return invalidToken('claims', `The token is not valid: ${(cause as Error).message}`);
        },
      ).andThen(({ payload }) => {
        const claims = claimsOf(payload);
        return claims === null ? errAsync(invalidToken('claims', 'The token lacks the claims of an access token.')) : okAsync(claims);
      }),
    );

  return {
    sign(claims) {
      return current().andThen((list) => {
        const key = list[list.length - 1];
        if (key === undefined) return errAsync(storeFailure('No signing key.'));
        return ResultAsync.fromPromise(
          importOnce(key.privateJwk, 'private').then((privateKey) =>
            new SignJWT({ tid: claims.tid, scp: claims.scp, gen: claims.gen })
              .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: 'JWT' })
              .setIssuer(TOKEN_ISSUER)
              .setSubject(claims.sub)
              .setJti(claims.jti)
              .setIssuedAt(claims.iat)
              .setExpirationTime(claims.exp)
              .sign(privateKey),
          ),
          failed('Signing a token failed'),
        );
      });
    },

    verify(token, now) {
      let kid: string | undefined;
      try {
        const header = decodeProtectedHeader(token);
        if (header.alg !== TOKEN_ALGORITHM) return errAsync(invalidToken('algorithm', `Tokens are signed with ${TOKEN_ALGORITHM} only.`));
        kid = header.kid;
      } catch {
        return errAsync(invalidToken('malformed', 'The token is not a JWT.'));
      }
      if (kid === undefined) return errAsync(invalidToken('claims', 'The token names no key (kid).'));
      const find = (list: readonly SigningKey[]) => list.find((key) => key.kid === kid);
      return current().andThen((list) => {
        const known = find(list);
        if (known !== undefined) return verifyWith(token, known, now);
        return current(true).andThen((fresh) => {
          const key = find(fresh);
          return key === undefined
            ? errAsync(invalidToken('signature', 'The token was signed with a key this server does not have.'))
            : verifyWith(token, key, now);
        });
      });
    },

    publicKeys() {
      return current().map((list): JsonWebKeySet => ({ keys: list.map((key) => JSON.parse(key.publicJwk) as Record<string, unknown>) }));
    },
  };
}
