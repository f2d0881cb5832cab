import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { sha256, type TenantId } from '@usher/core';
import { err, ok, type Result } from 'neverthrow';
import { type AcsError, denied } from './acs-errors.js';

export interface AccessKey {
  readonly tenantId: TenantId;
  /** The base64 access key of a connection string. */
  readonly key: string;
}

/** How far `x-ms-date` may be from the server's clock, ahead of it and behind it. */
export interface SignatureWindow {
  readonly maxAheadMs: number;
  readonly maxBehindMs: number;
}

/**
 * The JS SDK signs once and re-sends the same date on its retries (about 7 s apart by default, longer
 * after a Retry-After), so a signature must stay good for a while after it was made: 15 minutes
 * behind, as Azure services allow. Nothing needs a date from the future but clock drift: 5 minutes
 * ahead. Within the window a captured request can be replayed (as with ACS); see the README.
 */
export const DEFAULT_SIGNATURE_WINDOW: SignatureWindow = { maxAheadMs: 5 * 60 * 1000, maxBehindMs: 15 * 60 * 1000 };

export interface AuthenticationOptions {
  readonly now: Date;
  readonly window?: SignatureWindow | undefined;
  /** The host clients sign for (the server's public one): when set, the `Host` header is not taken on trust. */
  readonly host?: string | undefined;
}

const minutes = (ms: number) => `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;

const AUTHORIZATION = /^HMAC-SHA256 SignedHeaders=(x-ms-date|date);host;x-ms-content-sha256&Signature=([A-Za-z0-9+/]+={0,2})$/;

export interface SignedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string;
}

const EMPTY_BODY_HASH = sha256('', 'base64');

export function contentHash(body: string): string {
  // Most requests (every GET and DELETE) have no body: its hash is known.
  return body === '' ? EMPTY_BODY_HASH : sha256(body, 'base64');
}

/** Each access key imported once, not decoded from base64 on every request it signs. */
const importedKeys = new WeakMap<AccessKey, KeyObject>();
function secretOf(key: AccessKey): KeyObject {
  let secret = importedKeys.get(key);
  if (secret === undefined) {
    secret = createSecretKey(Buffer.from(key.key, 'base64'));
    importedKeys.set(key, secret);
  }
  return secret;
}

/** The path and query as the SDK signs them: the query parsed and re-serialised by URLSearchParams (reference/sdk-wire.md §7). */
function signedTargets(url: URL): string[] {
  const normalised = url.searchParams.toString();
  const targets = [normalised === '' ? url.pathname : `${url.pathname}?${normalised}`];
  const raw = `${url.pathname}${url.search}`;
  if (!targets.includes(raw) && url.search !== '') targets.push(raw);
  return targets;
}

/**
 * Verifies an ACS HMAC-SHA256 signature and says whose key signed it. Every key is tried with a
 * constant-time comparison; the body hash is checked against the body actually received.
 */
export function authenticate(request: SignedRequest, keys: readonly AccessKey[], options: AuthenticationOptions): Result<TenantId, AcsError> {
  const { now, window = DEFAULT_SIGNATURE_WINDOW } = options;
  const authorization = request.headers.get('authorization');
  if (authorization === null) return err(denied('The Authorization header is missing.'));
  const match = AUTHORIZATION.exec(authorization);
  if (match === null)
    return err(denied('The Authorization header is not "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64>".'));
  const [, dateHeader = 'x-ms-date', signature = ''] = match;
  const date = request.headers.get(dateHeader);
  if (date === null) return err(denied(`The ${dateHeader} header is missing.`));
  const signedAt = Date.parse(date);
  if (Number.isNaN(signedAt)) return err(denied(`The ${dateHeader} header is not an HTTP date.`));
  if (signedAt - now.getTime() > window.maxAheadMs) {
    return err(denied(`The request date ${date} is more than ${minutes(window.maxAheadMs)} ahead of the server time ${now.toUTCString()}.`));
  }
  if (now.getTime() - signedAt > window.maxBehindMs) {
    return err(denied(`The request date ${date} is more than ${minutes(window.maxBehindMs)} behind the server time ${now.toUTCString()}.`));
  }
  const hash = contentHash(request.body);
  const sentHash = request.headers.get('x-ms-content-sha256');
  if (sentHash === null) return err(denied('The x-ms-content-sha256 header is missing.'));
  if (sentHash !== hash) return err(denied("Request 'x-ms-content-sha256' differs from generated content hash."));
  const host = options.host ?? request.headers.get('host') ?? request.url.host;
  const presented = Buffer.from(signature, 'base64');
  const candidates = signedTargets(request.url).map((target) => `${request.method.toUpperCase()}\n${target}\n${date};${host};${hash}`);
  for (const accessKey of keys) {
    const secret = secretOf(accessKey);
    const { tenantId } = accessKey;
    for (const stringToSign of candidates) {
      const expected = createHmac('sha256', secret).update(stringToSign, 'utf8').digest();
      if (expected.length === presented.length && timingSafeEqual(expected, presented)) return ok(tenantId);
    }
  }
  return err(
    denied(
      options.host === undefined
        ? 'The request signature does not match any access key.'
        : `The request signature does not match any access key for host ${options.host}.`,
    ),
  );
}

/** Signs a request as the ACS SDK does; for tests and for clients written against this server. */
export function signRequest(request: { method: string; url: URL; body: string; date: Date }, key: string): Record<string, string> {
  const hash = contentHash(request.body);
  const date = request.date.toUTCString();
  const query = request.url.searchParams.toString();
  const target = query === '' ? request.url.pathname : `${request.url.pathname}?${query}`;
  const signature = createHmac('sha256', Buffer.from(key, 'base64'))
    .update(`${request.method.toUpperCase()}\n${target}\n${date};${request.url.host};${hash}`, 'utf8')
    .digest('base64');
  return {
    'x-ms-date': date,
    'x-ms-content-sha256': hash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}
