import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Env } from './context.js';

/** What is told of each request once answered: never a key, a token or a body. */
export interface RequestRecord {
  /** The client's `x-ms-client-request-id` when it sent a usable one, else the `MS-CV` this server made. */
  readonly requestId: string;
  readonly msCv: string;
  readonly method: string;
  /** The route's pattern (`/rooms/:roomId`), never the path with its ids; `unmatched` for none. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  /** Whose request it was, once authenticated. */
  readonly tenantId: string | null;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every answer carries an `MS-CV` correlation vector, as ACS's do, and echoes the client's
 * `x-ms-client-request-id`; then `onRequest` hears how it went.
 */
export function telemetry(onRequest: ((record: RequestRecord) => void) | undefined): MiddlewareHandler<Env> {
  // A correlation vector is a random base and a counter: the base is drawn once (randomness per request
  // was a tenth of a small request's time), the counter makes each request's vector its own.
  const base = randomBytes(16).toString('base64').replace(/=+$/, '');
  let sequence = 0;
  return async (c, next) => {
    const started = performance.now();
    sequence += 1;
    const msCv = `${base}.${sequence}`;
    const sent = c.req.header('x-ms-client-request-id');
    const clientId = sent !== undefined && CLIENT_REQUEST_ID.test(sent) ? sent : undefined;
    const outgoing = c.env?.outgoing;
    // Under the Node listener the headers go on the Node response, which merges them into the answer:
    // setting them on the answer's web Response would build it in full (node-server's fast path skips that).
    if (outgoing !== undefined) {
      outgoing.setHeader('ms-cv', msCv);
      if (clientId !== undefined) outgoing.setHeader('x-ms-client-request-id', clientId);
    }
    await next();
    if (outgoing === undefined) {
      c.res.headers.set('ms-cv', msCv);
      if (clientId !== undefined) c.res.headers.set('x-ms-client-request-id', clientId);
    }
    if (onRequest === undefined) return;
    const pattern = routePath(c, -1);
    onRequest({
      requestId: clientId ?? msCv,
      msCv,
      method: c.req.method,
      route: pattern === '' || pattern.endsWith('*') ? 'unmatched' : pattern,
      status: c.res.status,
      durationMs: performance.now() - started,
      tenantId: c.get('request')?.tenantId ?? null,
    });
  };
}
