import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const TOKEN_COOKIE = 'usher-console';

/** Who may read the console: anyone who reaches it on a loopback address, or only holders of its token. */
export type ConsoleAccess = { readonly kind: 'loopback' } | { readonly kind: 'token'; readonly token: string };

/** A login token, as notebook servers print one: 32 random bytes, URL-safe. */
export function newConsoleToken(): string {
  return randomBytes(32).toString('base64url');
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The host part of a Host header (`name:port`, `[v6]:port`). */
function hostnameOf(header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

function sameToken(given: string, token: string): boolean {
  const left = Buffer.from(given);
  const right = Buffer.from(token);
  return left.length === right.length && timingSafeEqual(left, right);
}

const refusal = (status: 401 | 403, message: string) =>
  new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Usher console</title></head><body><main><h1>Usher console</h1><p>${message}</p></main></body></html>`,
    {
      status,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    },
  );

/**
 * The gate in front of every page, script and stream. On loopback the console is open, but only to
 * requests that name a loopback host (a page elsewhere cannot reach it by rebinding a name of its own
 * to 127.0.0.1). Otherwise the token is needed: from `?token=` once (it is then kept in an HttpOnly
 * cookie, and the address bar loses it), from the cookie, or as `Authorization: Bearer`.
 */
export function accessGate(access: ConsoleAccess): MiddlewareHandler {
  return async (c, next) => {
    if (access.kind === 'loopback') {
      if (!isLoopbackHost(hostnameOf(c.req.header('host') ?? ''))) {
        return refusal(403, 'This console answers only to requests for its loopback address, such as http://127.0.0.1.');
      }
      return next();
    }
    const fromQuery = c.req.query('token');
    if (fromQuery !== undefined && sameToken(fromQuery, access.token)) {
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      setCookie(c, TOKEN_COOKIE, access.token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const held = bearer ?? getCookie(c, TOKEN_COOKIE);
    if (held === undefined || !sameToken(held, access.token)) {
      return refusal(
        401,
        'This console needs its login token: open the address with <code>?token=</code> that <code>usher console</code> printed when it started.',
      );
    }
    return next();
  };
}
