import { err, ok, type Result } from 'neverthrow';
import { MAX_VERSION } from './envelope.js';
import { parseRoomId, type RoomId } from './ids.js';
import type { PageRequest } from './ports.js';
import type { ValidationError } from './validation-error.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/**
 * How one listing's keyset key travels in its page tokens. A key holds nothing from outside the
 * tenant (a room's version, a room's creation time and id), and each listing names itself in its
 * tokens, so that a token of one listing is refused by another.
 */
export interface PageKeys<K> {
  readonly list: string;
  write(key: K): string;
  /** The key in `text`, or null when it is not one this listing could have written. */
  read(text: string): K | null;
}

const VERSION = /^[1-9][0-9]{0,9}$/;

/** Keys that are versions of one room's stream (1..MAX_VERSION): its roster (by the version that added each participant) and its history. */
function versionKeys(list: string): PageKeys<number> {
  return {
    list,
    write: (version) => String(version),
    read: (text) => (VERSION.test(text) && Number(text) <= MAX_VERSION ? Number(text) : null),
  };
}

export const rosterKeys = versionKeys('roster');
export const historyKeys = versionKeys('history');

/** Rooms are listed newest first by creation time, ties broken by room id. */
export interface RoomListKey {
  readonly createdAt: string;
  readonly roomId: RoomId;
}

/** A creation time as rooms hold it: an instant as `toISOString` writes it, and nothing else. */
function isCreationTime(text: string): boolean {
  const instant = new Date(text);
  return !Number.isNaN(instant.getTime()) && instant.toISOString() === text;
}

export const roomListKeys: PageKeys<RoomListKey> = {
  list: 'rooms',
  write: (key) => `${key.createdAt},${key.roomId}`,
  read: (text) => {
    const [createdAt = '', roomId = '', ...rest] = text.split(',');
    const room = parseRoomId(roomId);
    if (rest.length > 0 || !isCreationTime(createdAt) || room.isErr()) return null;
    return { createdAt, roomId: room.value };
  },
};

/** A tenant's event subscriptions are listed by name (3–64 of `[A-Za-z0-9-]`). */
export const eventSubscriptionKeys: PageKeys<string> = {
  list: 'subscriptions',
  write: (name) => name,
  read: (text) => (/^[A-Za-z0-9-]{3,64}$/.test(text) ? text : null),
};

/** A subscription's dead letters are listed by the log position of their event, ties broken by event id. */
export interface DeadLetterKey {
  readonly position: number;
  readonly eventId: string;
}

export const deadLetterKeys: PageKeys<DeadLetterKey> = {
  list: 'deadLetters',
  write: (key) => `${key.position},${key.eventId}`,
  read: (text) => {
    const comma = text.indexOf(',');
    const position = text.slice(0, comma);
    const eventId = text.slice(comma + 1);
    if (comma < 0 || !/^(0|[1-9][0-9]{0,15})$/.test(position) || !Number.isSafeInteger(Number(position)) || eventId === '') return null;
    return { position: Number(position), eventId };
  },
};

const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/** Page tokens are opaque and URL-safe, so that they travel in a nextLink as they are. */
export function encodePageToken<K>(keys: PageKeys<K>, key: K): string {
  return Buffer.from(`${keys.list}:${keys.write(key)}`, 'utf8').toString('base64url');
}

export function decodePageToken<K>(keys: PageKeys<K>, token: string): Result<K, ValidationError> {
  const refused = err<K, ValidationError>({
    type: 'InvalidPageToken',
    field: 'pageToken',
    value: token,
    message: 'The page token is not one this server issued for this listing.',
  });
  if (!TOKEN.test(token)) return refused;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const prefix = `${keys.list}:`;
  if (!text.startsWith(prefix)) return refused;
  const key = keys.read(text.slice(prefix.length));
  return key === null ? refused : ok(key);
}

export interface Keyset<K> {
  /** Rows strictly past this key, in listing order (null: from the start). */
  readonly after: K | null;
  readonly pageSize: number;
}

export function parsePageRequest<K>(keys: PageKeys<K>, request: PageRequest = {}): Result<Keyset<K>, ValidationError> {
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
  return decodePageToken(keys, request.pageToken).map((after) => ({ after, pageSize }));
}

/** Given `pageSize + 1` rows fetched past the keyset, the page and the token of the next one. */
export function toPage<T, K>(
  keys: PageKeys<K>,
  rows: readonly T[],
  pageSize: number,
  keyOf: (row: T) => K,
): { items: T[]; nextPageToken: string | null } {
  const items = rows.slice(0, pageSize);
  const last = items[items.length - 1];
  return { items, nextPageToken: rows.length > pageSize && last !== undefined ? encodePageToken(keys, keyOf(last)) : null };
}
