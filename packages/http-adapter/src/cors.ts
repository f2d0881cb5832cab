import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** What a browser may send: the ACS signing headers, the repeatability headers, a request id. */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'x-ms-date',
  'x-ms-content-sha256',
  'x-ms-client-request-id',
  'repeatability-request-id',
  'repeatability-first-sent',
];

/** What a browser's script may read of an answer. */
const EXPOSED_HEADERS = ['location', 'repeatability-result', 'x-ms-error-code', 'retry-after', 'x-ms-client-request-id', 'ms-cv'];

/**
 * CORS for the given origins, before authentication (a preflight carries no credentials): their
 * preflights are answered with the methods and headers the API takes, and every answer to them says
 * they may read it. Other origins get nothing: a preflight of theirs is answered allowing nothing.
 */
export function browsers(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  const forAllowed = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && allowed.has(origin)) return forAllowed(c, next);
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined) return c.body(null, 204);
    return next();
  };
}
