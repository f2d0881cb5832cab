import { getRequestListener } from '@hono/node-server';
import type { Clock, RoomService } from '@usher/core';
import { Hono } from 'hono';
import { acsError } from './acs-errors.js';
import { API_VERSIONS, IDENTITY_API_VERSIONS, shapeOf } from './api-versions.js';
import { type AccessKey, DEFAULT_SIGNATURE_WINDOW, type SignatureWindow } from './auth.js';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import type { Env, RouteDeps } from './context.js';
import { browsers } from './cors.js';
import { errorResponse, refused } from './errors.js';
import { requestGate } from './gate.js';
import { openApiDocument } from './openapi/document.js';
import { publicOrigin } from './public-url.js';
import { createRateLimiter, type RateLimit } from './rate-limit.js';
import { respond } from './respond.js';
import { jsonResponse } from './responses.js';
import { isCallPath } from './routes/call.js';
import { ROUTE_MODULES } from './routes/modules.js';
import { createValidators } from './schemas.js';
import { type RequestRecord, telemetry } from './telemetry.js';

export interface HttpAdapterOptions {
  /** The one way in: the adapter maps HTTP to service calls and nothing else. */
  readonly service: RoomService;
  readonly clock: Clock;
  readonly keys: readonly AccessKey[];
  /** Default 1 MiB; larger bodies get 413. */
  readonly maxBodyBytes?: number | undefined;
  /** How far a signature's date may be from the server clock: default 5 minutes ahead, 15 behind (DEFAULT_SIGNATURE_WINDOW). */
  readonly signatureWindow?: SignatureWindow | undefined;
  /**
   * The URL clients reach the server at (e.g. behind a proxy). When given, a signature counts only
   * for its host: one made for another host is refused, whatever the `Host` header says.
   */
  readonly publicUrl?: string | URL | undefined;
  /**
   * Take the scheme and host from the proxy in front (`Forwarded`, else `X-Forwarded-Proto` and
   * `X-Forwarded-Host`) for links and signatures. Only behind a proxy that sets them: a client could.
   */
  readonly trustProxy?: boolean | undefined;
  /** Web origins (`https://app.example.com`) whose browsers may call the API; none by default. */
  readonly corsOrigins?: readonly string[] | undefined;
  /** Requests per second per access key and per user token, answered 429 with Retry-After beyond it; none by default. */
  readonly rateLimit?: RateLimit | undefined;
  /** Hears of every request once it is answered (route, status, duration, tenant; never keys, tokens or bodies): for logs and metrics. */
  readonly onRequest?: ((record: RequestRecord) => void) | undefined;
  /** Items per page of the listings when the client gives no `maxpagesize` (default 50). */
  readonly pageSize?: number | undefined;
}

/** The API as a web-standard `fetch` handler and a Node `listener`: the gate, then one route module per resource. */
export function createHttpHandler(options: HttpAdapterOptions) {
  const deps: RouteDeps = {
    service: options.service,
    validators: new Map(API_VERSIONS.map((version) => [version, createValidators(shapeOf(version))])),
    pageSize: options.pageSize,
  };
  const app = new Hono<Env>();

  app.use('*', telemetry(options.onRequest));
  const corsOrigins = options.corsOrigins ?? [];
  if (corsOrigins.length > 0) app.use('*', browsers(corsOrigins));
  // Liveness: the process answers. Readiness: and its store does, so a balancer sends it requests.
  app.get('/healthz', () => jsonResponse(200, { status: 'ok' }));
  app.get('/readyz', async () => {
    const ready = await options.service.checkReady();
    // Unauthenticated: it says that the store does not answer, not why (no host, no port, no schema).
    return ready.isOk() ? jsonResponse(200, { status: 'ready' }) : jsonResponse(503, { status: 'unavailable', reason: 'The store does not answer.' });
  });
  app.get('/openapi.json', () => jsonResponse(200, openApiDocument()));
  // Open, so that a media server verifies users' tokens offline.
  app.get('/.well-known/jwks.json', () =>
    respond(options.service.publicKeys(), (keys) => jsonResponse(200, keys, { 'cache-control': 'max-age=300' })),
  );

  const gateOptions = {
    keys: options.keys,
    clock: options.clock,
    signatureWindow: options.signatureWindow ?? DEFAULT_SIGNATURE_WINDOW,
    origin: publicOrigin(options),
    rateLimiter: options.rateLimit === undefined ? undefined : createRateLimiter(options.rateLimit, options.clock),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    service: options.service,
  };
  // Hono's `/rooms/*` also matches `/rooms` itself.
  app.use('/rooms/*', requestGate(gateOptions, { versions: API_VERSIONS, isCallApi: isCallPath }));
  app.use('/identities/*', requestGate(gateOptions, { versions: IDENTITY_API_VERSIONS, isCallApi: () => false }));
  app.use('/eventSubscriptions/*', requestGate(gateOptions, { versions: API_VERSIONS, isCallApi: () => false }));
  for (const module of ROUTE_MODULES) app.route('/', module.routes(deps));

  app.notFound((c) =>
    errorResponse(
      refused(
        ['/rooms', '/identities', '/eventSubscriptions'].some((prefix) => c.req.path === prefix || c.req.path.startsWith(`${prefix}/`))
          ? acsError(405, 'MethodNotAllowed', `${c.req.method} is not supported on ${c.req.path}.`)
          : acsError(404, 'NotFound', `There is no resource at ${c.req.path}.`),
      ),
    ),
  );
  app.onError((error) => {
    console.error(error);
    return errorResponse(refused(acsError(500, 'InternalError', 'The server failed to handle the request.')));
  });

  const fetch = (request: Request): Promise<Response> => Promise.resolve(app.fetch(request));
  // The Node request goes along, so that a body is read from it rather than through a web stream.
  const listener = getRequestListener((request, bindings) =>
    app.fetch(request, 'incoming' in bindings ? { incoming: bindings.incoming, outgoing: bindings.outgoing } : {}),
  );
  return { fetch, listener };
}
