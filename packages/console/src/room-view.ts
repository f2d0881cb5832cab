import {
  type Aborted,
  type ChainBreak,
  type EventStore,
  history,
  type RoomState,
  roomAt,
  type StoreError,
  type StreamKey,
  type TimelineEntry,
  verifyRoomChain,
} from '@usher/core';
import { err, ok, type Result, ResultAsync } from 'neverthrow';

export const TIMELINE_PAGE = 50;
export const ROSTER_PAGE = 100;

export type ChainStatus =
  | { readonly verified: true; readonly version: number; readonly hash: string }
  | { readonly verified: false; readonly version: number; readonly message: string };

/** A window of the timeline: versions `from` to `from + entries.length - 1` of `head`. */
export interface TimelinePage {
  readonly entries: readonly TimelineEntry[];
  readonly from: number;
  readonly head: number;
}

/** Everything the room page shows, now or as of an instant. */
export interface RoomView {
  readonly stream: StreamKey;
  /** Null for now; else the instant asked about, ISO-8601 UTC. */
  readonly at: string | null;
  /** The room now (from its projection) or at the instant (by replay); `absent` before it was created. */
  readonly state: RoomState;
  /** The version `state` is as of. */
  readonly version: number;
  /** The room's last version. */
  readonly head: number;
  /** When its first event happened and when its life ends for the time control: its last event if deleted, else now. */
  readonly life: { readonly from: string; readonly to: string };
  readonly chain: ChainStatus;
  readonly timeline: TimelinePage;
}

export interface RoomNotFound {
  readonly type: 'RoomNotFound';
}

/** The first version of the timeline page that holds `version` (pages are fixed: 1–50, 51–100, …). */
export function timelinePageOf(version: number): number {
  return Math.floor((Math.max(1, version) - 1) / TIMELINE_PAGE) * TIMELINE_PAGE + 1;
}

function chainStatus(store: EventStore, stream: StreamKey): ResultAsync<ChainStatus, StoreError> {
  return verifyRoomChain(store, stream)
    .map((head): ChainStatus => ({ verified: true, ...head }))
    .orElse((failure: ChainBreak | StoreError) =>
      failure.type === 'ChainBroken'
        ? ok<ChainStatus, StoreError>({ verified: false, version: failure.version, message: failure.message })
        : err<ChainStatus, StoreError>(failure),
    );
}

/**
 * The room page's data. `at` null shows the room now, from its projection; an instant replays the log
 * up to it. `from` picks the timeline page; by default the page that holds the version shown.
 */
export function loadRoomView(
  store: EventStore,
  stream: StreamKey,
  options: { readonly at: Date | null; readonly from: number | null; readonly now: Date; readonly signal?: AbortSignal | undefined },
): ResultAsync<RoomView, StoreError | RoomNotFound | Aborted> {
  const load = async (): Promise<Result<RoomView, StoreError | RoomNotFound | Aborted>> => {
    const current = await store.loadRoom(stream);
    if (current.isErr()) return err(current.error);
    if (current.value === null) return err({ type: 'RoomNotFound' });
    const head = current.value.version;
    let state: RoomState = current.value.state;
    let version = head;
    if (options.at !== null) {
      const replayed = await roomAt(store, stream, options.at, { signal: options.signal });
      if (replayed.isErr()) return err(replayed.error);
      state = replayed.value.state;
      version = replayed.value.version;
    }
    const ends = await ResultAsync.combine([
      store.readStream(stream, { fromVersion: 1, toVersion: 1 }),
      store.readStream(stream, { fromVersion: head, toVersion: head }),
    ]);
    if (ends.isErr()) return err(ends.error);
    const [[first], [last]] = ends.value;
    const from = first?.meta.at ?? options.now.toISOString();
    const deleted = current.value.state.status === 'deleted';
    const to = deleted && last !== undefined ? last.meta.at : options.now.toISOString();
    const page = options.from ?? timelinePageOf(options.at === null ? head : version);
    const entries = await history(store, stream, { fromVersion: page, limit: TIMELINE_PAGE });
    if (entries.isErr()) return err(entries.error);
    const chain = await chainStatus(store, stream);
    if (chain.isErr()) return err(chain.error);
    return ok({
      stream,
      at: options.at?.toISOString() ?? null,
      state,
      version,
      head,
      life: { from, to: Date.parse(to) < Date.parse(from) ? from : to },
      chain: chain.value,
      timeline: { entries: entries.value, from: page, head },
    });
  };
  return new ResultAsync(load());
}
