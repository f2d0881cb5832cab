import { GENESIS_HASH } from '../hash-chain.js';
import type { StreamKey } from '../ids.js';
import type { RoomState } from '../state.js';

/** A stream's head and its folded state, as a store keeps it next to the log. */
export interface StreamHead {
  readonly version: number;
  readonly lastHash: string;
  readonly state: RoomState;
  /** Position of the event that made the room exist: the keyset of room listings. */
  readonly createdPosition: number | null;
}

export const EMPTY_HEAD: StreamHead = { version: 0, lastHash: GENESIS_HASH, state: { status: 'absent' }, createdPosition: null };

/**
 * The heads of recently used streams, most recent last, at most `capacity` of them: what lets a store
 * append without reading a head it has just written (0 keeps none).
 */
export function streamHeadCache(capacity: number) {
  const heads = new Map<string, StreamHead>();
  const keyOf = (stream: StreamKey) => `${stream.tenantId}\u0000${stream.roomId}`;
  return {
    get: (stream: StreamKey): StreamHead | undefined => heads.get(keyOf(stream)),
    remember(stream: StreamKey, head: StreamHead): void {
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
