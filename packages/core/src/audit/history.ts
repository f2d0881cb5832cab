import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { StoredEvent } from '../envelope.js';
import { type Aborted, aborted, type StoreError } from '../errors.js';
import { isIdentityEvent } from '../events.js';
import { applyEvent, type DraftState, draftOf } from '../evolve.js';
import type { StreamKey } from '../ids.js';
import type { AbortSignalLike, EventStore } from '../ports.js';
import { initialState, type RoomState } from '../state.js';
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

/**
 * The state of a room at an instant, by replay of its log a chunk of events at a time: one copy of
 * the state for the whole replay, each event applied in place. `signal` is looked at between chunks;
 * once aborted, the replay stops with `Aborted`.
 */
export function roomAt(
  store: EventStore,
  stream: StreamKey,
  instant: Date,
  options: { readonly chunk?: number; readonly signal?: AbortSignalLike | undefined } = {},
): ResultAsync<RoomAtInstant, StoreError | Aborted> {
  const chunk = options.chunk ?? 1000;
  const limit = instant.getTime();
  const replay = async (): Promise<Result<RoomAtInstant, StoreError | Aborted>> => {
    let draft: DraftState = draftOf(initialState());
    let version = 0;
    for (;;) {
      if (options.signal?.aborted === true) return err(aborted(`The replay of room ${stream.roomId} was abandoned at version ${version}.`));
      const events = await store.readStream(stream, { fromVersion: version + 1, toVersion: version + chunk });
      if (events.isErr()) return err(events.error);
      for (const event of events.value) {
        if (Date.parse(event.meta.at) > limit) return ok({ state: draft, version });
        if (!isIdentityEvent(event)) draft = applyEvent(draft, event);
        version = event.version;
      }
      if (events.value.length < chunk) return ok({ state: draft, version });
    }
  };
  return new ResultAsync(replay());
}
