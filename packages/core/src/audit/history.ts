import { okAsync, type ResultAsync } from 'neverthrow';
import type { StoredEvent } from '../envelope.js';
import type { StoreError } from '../errors.js';
import { fold } from '../evolve.js';
import type { StreamKey } from '../ids.js';
import type { EventStore } from '../ports.js';
import type { RoomState } from '../state.js';
import { describeEvent } from './describe-event.js';

export interface TimelineEntry {
  readonly version: number;
  readonly at: string;
  readonly actor: string;
  readonly requestId: string | null;
  readonly type: string;
  readonly description: string;
  readonly eventId: string;
  readonly hash: string;
}

export function timelineEntry(event: StoredEvent): TimelineEntry {
  return {
    version: event.version,
    at: event.meta.at,
    actor: event.meta.actor,
    requestId: event.meta.requestId ?? null,
    type: event.type,
    description: describeEvent(event),
    eventId: event.eventId,
    hash: event.hash,
  };
}

/** A room's events as a readable timeline, a version range at a time (the range keeps memory flat on long rooms). */
export function history(
  store: EventStore,
  stream: StreamKey,
  range: { fromVersion?: number; limit?: number } = {},
): ResultAsync<TimelineEntry[], StoreError> {
  const fromVersion = Math.max(1, range.fromVersion ?? 1);
  const toVersion = range.limit === undefined ? undefined : fromVersion + Math.max(0, range.limit) - 1;
  return store.readStream(stream, { fromVersion, toVersion }).map((events) => events.map(timelineEntry));
}

export interface RoomAtInstant {
  /** The room as of the instant: every event whose `meta.at` is not after it, replayed. */
  readonly state: RoomState;
  /** The version of the last event replayed, 0 when the room did not exist yet. */
  readonly version: number;
}

/** The state of a room at an instant, by replay of its log in chunks. */
export function roomAt(store: EventStore, stream: StreamKey, instant: Date, chunk = 1000): ResultAsync<RoomAtInstant, StoreError> {
  const limit = instant.getTime();
  const step = (state: RoomState, version: number): ResultAsync<RoomAtInstant, StoreError> =>
    store.readStream(stream, { fromVersion: version + 1, toVersion: version + chunk }).andThen((events) => {
      const upTo = events.findIndex((event) => Date.parse(event.meta.at) > limit);
      const taken = upTo === -1 ? events : events.slice(0, upTo);
      const next = fold(taken, state);
      const reached = version + taken.length;
      if (upTo !== -1 || events.length < chunk) return okAsync({ state: next, version: reached });
      return step(next, reached);
    });
  return step({ status: 'absent' }, 0);
}
