import type { Clock, RoomService } from '@usher/core';
import type { MiddlewareHandler } from 'hono';
import { err, ok, type Result } from 'neverthrow';
import { acsError, denied } from './acs-errors.js';
import { isApiVersion, LATEST_SHAPE, shapeOf } from './api-versions.js';
import { type AccessKey, authenticate, type SignatureWindow } from './auth.js';
import { type NodeIncoming, readBody } from './body.js';
import type { Env, Principal, RequestContext } from './context.js';
import { type ApiError, errorResponse, refused } from './errors.js';
import { type PublicOrigin, publicRequestUrl } from './public-url.js';
import type { RateLimiter } from './rate-limit.js';

export interface GateOptions {
  readonly keys: readonly AccessKey[];
  readonly clock: Clock;
  readonly signatureWindow: SignatureWindow;
  /** Requests per second per caller, when limited. */
  readonly rateLimiter: RateLimiter | undefined;
  /** Where clients reach the server (a proxy's public URL, or what a trusted proxy says). */
  readonly origin: PublicOrigin;
  readonly maxBodyBytes: number;
  /** Checks users' access tokens, for the routes that take them. */
  readonly service: Pick<RoomService, 'authorizeToken'>;
}

/** An API behind the gate: the api-versions it answers, and, by path, its error surface and whether users may call it with access tokens. */
export interface GatedApi {
  readonly versions: readonly string[];
  readonly isCallApi: (path: string) => boolean;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/** Body, then who is asking (an access key's signature, or a user's access token), then api-version: nothing about the API is said to a caller who did not authenticate. */
async function admit(
  request: Request,
  incoming: NodeIncoming | undefined,
  options: GateOptions,
  api: GatedApi,
): Promise<Result<RequestContext, ApiError>> {
  const body = await readBody(request, options.maxBodyBytes, incoming);
  if (body.isErr()) return err(body.error);
  const url = publicRequestUrl(new URL(request.url), request.headers, options.origin);
  const authorization = request.headers.get('authorization') ?? '';
  let who: { tenantId: RequestContext['tenantId']; principal: Principal };
  if (authorization.startsWith('Bearer ')) {
    if (!api.isCallApi(url.pathname)) {
      return err(refused(denied('User access tokens are for the call API; sign requests to this resource with an access key (HMAC-SHA256).')));
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) return err({ type: 'InvalidToken', reason: 'malformed', message: 'The Authorization header is not "Bearer <token>".' });
    const caller = await options.service.authorizeToken(token, { forCalls: true });
    if (caller.isErr()) return err(caller.error);
    // A token of a tenant this server holds no key for is none of its business.
    if (!options.keys.some((key) => key.tenantId === caller.value.tenantId)) {
      return err({ type: 'InvalidToken', reason: 'unknownIdentity', message: 'The token is for a tenant this server does not serve.' });
    }
    who = { tenantId: caller.value.tenantId, principal: { kind: 'user', caller: caller.value } };
  } else {
    const tenant = authenticate({ method: request.method, url, headers: request.headers, body: body.value }, options.keys, {
      now: options.clock.now(),
      window: options.signatureWindow,
      // Behind a proxy, the host the client signed for is the public one, whatever the Host header says.
      host: options.origin.kind === 'direct' ? undefined : url.host,
    });
    if (tenant.isErr()) return err(refused(tenant.error));
    who = { tenantId: tenant.value, principal: { kind: 'server' } };
  }
  // After authentication, so that one caller's flood is answered without touching anyone else's budget.
  const caller = who.principal.kind === 'user' ? `user:${who.principal.caller.identityId}` : `key:${who.tenantId}`;
  const wait = options.rateLimiter?.take(caller) ?? null;
  if (wait !== null) {
    return err({
      type: 'Throttled',
      retryAfterSeconds: wait,
      message: `Too many requests from this ${who.principal.kind === 'user' ? 'user' : 'access key'}; retry after ${wait} s.`,
    });
  }
  const version = url.searchParams.get('api-version');
  if (version === null) {
    return err(refused(acsError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.')));
  }
  if (!api.versions.includes(version)) {
    return err(
      refused(
        acsError(
          400,
          'UnsupportedApiVersion',
          `The HTTP resource that matches the request URI '${url.pathname}' does not support the API version '${version}'. Supported: ${api.versions.join(', ')}.`,
        ),
      ),
    );
  }
  return ok({ ...who, apiVersion: version, shape: isApiVersion(version) ? shapeOf(version) : LATEST_SHAPE, body: body.value, url });
}

/** The authentication and api-version gate, as middleware: a route runs only for an authenticated request of a version its API answers. */
export function requestGate(options: GateOptions, api: GatedApi): MiddlewareHandler<Env> {
  return async (c, next) => {
    const context = await admit(c.req.raw, c.env?.incoming, options, api);
    if (context.isErr()) return errorResponse(context.error, api.isCallApi(c.req.path) ? 'call' : 'rest');
    c.set('request', context.value);
    await next();
  };
}
