import { GENESIS_HASH } from '../hash-chain.js';
import type { LogStreamKey } from '../ids.js';
import type { LoadedRoom, LoadedStream } from '../ports.js';
import { asRoomState, type StreamState } from '../stream-state.js';

/** A stream's head and its folded state, as a store keeps it next to the log. */
export interface StreamHead {
  readonly version: number;
  readonly lastHash: string;
  readonly state: StreamState;
  /** Position of the event that made the room exist: the keyset of room listings. */
  readonly createdPosition: number | null;
}

export const EMPTY_HEAD: StreamHead = { version: 0, lastHash: GENESIS_HASH, state: { status: 'absent' }, createdPosition: null };

/**
 * The heads of recently used streams, most recent last, at most `capacity` of them: what lets a store
 * append without reading a head it has just written (0 keeps none).
 */
export function streamHeadCache<Head extends StreamHead = StreamHead>(capacity: number) {
  const heads = new Map<string, Head>();
  const keyOf = (stream: LogStreamKey) => `${stream.tenantId}\u0000${stream.roomId}`;
  return {
    get: (stream: LogStreamKey): Head | undefined => heads.get(keyOf(stream)),
    remember(stream: LogStreamKey, head: Head): void {
      if (capacity <= 0) return;
      const key = keyOf(stream);
      heads.delete(key);
      heads.set(key, head);
      if (heads.size > capacity) heads.delete(heads.keys().next().value as string);
    },
    clear: () => heads.clear(),
  };
}

export type StreamHeadCache = ReturnType<typeof streamHeadCache>;

/** A stream loaded as a room: nothing when the stream is an identity's. */
export function loadedRoom(loaded: LoadedStream | null): LoadedRoom | null {
  if (loaded === null) return null;
  const state = asRoomState(loaded.state);
  return state === null ? null : { state, version: loaded.version };
}
