import { err, ok, type Result } from 'neverthrow';
import type { PageRequest } from './ports.js';
import type { ValidationError } from './validation-error.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

const TOKEN_PREFIX = 'u1.';
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** Page tokens carry a keyset position; they are opaque and URL-safe so that they travel in a nextLink as they are. */
export function encodePageToken(key: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${key}`, 'utf8').toString('base64url');
}

function invalidToken(value: string): ValidationError {
  return { type: 'InvalidPageToken', field: 'pageToken', value, message: 'The page token is not one this server issued.' };
}

export function decodePageToken(token: string): Result<number, ValidationError> {
  if (!TOKEN.test(token)) return err(invalidToken(token));
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(TOKEN_PREFIX)) return err(invalidToken(token));
  const digits = text.slice(TOKEN_PREFIX.length);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(digits)) return err(invalidToken(token));
  return ok(Number(digits));
}

export interface Keyset {
  /** Rows strictly past this key (null: from the start). */
  readonly after: number | null;
  readonly pageSize: number;
}

export function parsePageRequest(request: PageRequest = {}): Result<Keyset, ValidationError> {
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    return err({
      type: 'InvalidPageSize',
      field: 'pageSize',
      value: String(pageSize),
      message: `The page size must be a whole number from 1 to ${MAX_PAGE_SIZE}.`,
    });
  }
  if (request.pageToken === undefined) return ok({ after: null, pageSize });
  return decodePageToken(request.pageToken).map((after) => ({ after, pageSize }));
}

/** Given `pageSize + 1` rows fetched past the keyset, the page and the token of the next one. */
export function toPage<T>(rows: readonly T[], pageSize: number, keyOf: (row: T) => number): { items: T[]; nextPageToken: string | null } {
  const items = rows.slice(0, pageSize);
  const last = items[items.length - 1];
  return { items, nextPageToken: rows.length > pageSize && last !== undefined ? encodePageToken(keyOf(last)) : null };
}
