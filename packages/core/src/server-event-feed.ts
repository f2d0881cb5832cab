import { okAsync, ResultAsync } from 'neverthrow';
import type { StoredEvent } from './envelope.js';
import type { StoreError } from './errors.js';
import type { DomainEvent } from './events.js';
import { isIdentityEvent } from './events.js';
import { evolve } from './evolve.js';
import type { LogStreamKey } from './ids.js';
import type { EventStore } from './ports.js';
import { callAfter, type RoomBefore, type ServerEvent, serverEventOf } from './server-events.js';

interface Tracked extends RoomBefore {
  readonly version: number;
}

const ABSENT: Tracked = { version: 0, state: { status: 'absent' }, call: null };
export const DEFAULT_TRACKED_ROOMS = 10_000;

function advance(tracked: Tracked, event: StoredEvent): Tracked {
  const domain = { type: event.type, data: event.data } as DomainEvent;
  return { version: event.version, state: evolve(tracked.state, domain), call: callAfter(event, tracked) };
}

/**
 * Turns log events into server events, one at a time in log order. A server event says things the log
 * event alone does not (the call it belongs to, the roles at that moment), so the feed keeps the recent
 * rooms as they were just before their next event; a room it does not hold (or holds at another version)
 * is folded from its stream up to that event — once, then kept up as its events come.
 */
export function serverEventFeed(store: Pick<EventStore, 'readStream'>, capacity = DEFAULT_TRACKED_ROOMS) {
  const rooms = new Map<string, Tracked>();
  const keyOf = (event: StoredEvent) => `${event.tenantId}\u0000${event.roomId}`;

  function remember(key: string, tracked: Tracked) {
    rooms.delete(key);
    rooms.set(key, tracked);
    if (rooms.size > capacity) rooms.delete(rooms.keys().next().value as string);
  }

  function before(event: StoredEvent): ResultAsync<Tracked, StoreError> {
    const held = rooms.get(keyOf(event));
    if (held !== undefined && held.version === event.version - 1) return okAsync(held);
    if (event.version === 1) return okAsync(ABSENT);
    const stream = { tenantId: event.tenantId, roomId: event.roomId } as LogStreamKey;
    return store.readStream(stream, { toVersion: event.version - 1 }).map((earlier) => earlier.reduce(advance, ABSENT));
  }

  return {
    /** The server event the log event makes, if any: identities' events and in-call details make none. */
    next(event: StoredEvent): ResultAsync<ServerEvent | null, StoreError> {
      if (isIdentityEvent({ type: event.type, data: event.data } as DomainEvent)) return okAsync(null);
      return before(event).map((tracked) => {
        const made = serverEventOf(event, tracked);
        remember(keyOf(event), advance(tracked, event));
        return made;
      });
    },
  };
}

export type ServerEventFeed = ReturnType<typeof serverEventFeed>;

/** The server events of a page of the log, in its order (null where an event makes none). */
export function serverEventsOfPage(feed: ServerEventFeed, events: readonly StoredEvent[]): ResultAsync<(ServerEvent | null)[], StoreError> {
  return events.reduce<ResultAsync<(ServerEvent | null)[], StoreError>>(
    (made, event) =>
      made.andThen((list) =>
        feed.next(event).map((server) => {
          list.push(server);
          return list;
        }),
      ),
    ResultAsync.fromSafePromise(Promise.resolve([])),
  );
}
