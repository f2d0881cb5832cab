import type { LogStreamKey, StreamState } from '@usher/core';
import { EMPTY_HEAD, type StreamHead, stateWithRoster, streamHeadCache } from '@usher/core/store-kit';
import type { HeadRow } from './sql/heads.js';
import type { Statements } from './statements.js';

export const DEFAULT_HEAD_CACHE_SIZE = 1024;

/** A head with the stream's key in this file: null until the stream's first append gives it one. */
export type KeyedHead = StreamHead & { readonly key: number | null };

/** The head of a stream with no events (and so no key). */
export const NO_HEAD: KeyedHead = { ...EMPTY_HEAD, key: null };

function headFromRow(statements: Statements, row: HeadRow | undefined): KeyedHead {
  if (row === undefined) return NO_HEAD;
  const stored = JSON.parse(row.state) as StreamState;
  const state = stateWithRoster(stored, () => statements.roster.all(row.stream_key));
  return { version: row.version, lastHash: row.last_hash, state, createdPosition: row.created_position, key: row.stream_key };
}

/**
 * The heads of recently used streams, so that loading a room or appending to it parses the folded
 * state only when another process (or nobody yet) has moved the stream since this one last saw it.
 * A head is reused while the stored version and hash still match it; and while no other connection
 * has committed since it was last seen to match (SQLite's `data_version`), without reading it at all.
 */
export function createHeadCache(statements: Statements, capacity = DEFAULT_HEAD_CACHE_SIZE) {
  const heads = streamHeadCache<KeyedHead>(capacity);
  const slotOf = (stream: LogStreamKey) => `${stream.tenantId}\u0000${stream.roomId}`;
  /** The streams whose held head is known to be the stored one, as of `seenDataVersion`. */
  const current = new Set<string>();
  let seenDataVersion: number | undefined;

  function confirm(slot: string) {
    // Bounded like the heads: forgetting a confirmation only costs a read.
    if (current.size >= Math.max(1, capacity) * 2) current.clear();
    current.add(slot);
  }

  /** The stream's current head; within a transaction, the one that transaction sees. */
  function read(stream: LogStreamKey): KeyedHead {
    const dataVersion = statements.dataVersion.get()?.data_version;
    if (dataVersion !== seenDataVersion) {
      seenDataVersion = dataVersion;
      current.clear();
    }
    const slot = slotOf(stream);
    const held = heads.get(stream);
    if (held !== undefined && current.has(slot)) return held;
    if (held !== undefined && held.key !== null) {
      const stored = statements.headVersion.get(held.key);
      if (stored !== undefined && held.version === stored.version && held.lastHash === stored.last_hash) {
        confirm(slot);
        return held;
      }
    }
    const head = headFromRow(statements, statements.head.get(stream.tenantId, stream.roomId));
    if (head === NO_HEAD) return head;
    heads.remember(stream, head);
    confirm(slot);
    return head;
  }

  return {
    read,
    /**
     * The head this process last saw, without asking whether another connection has moved the stream
     * since (a read transaction of its own, the cost of a whole small statement): for a command whose
     * append checks the version anyway.
     */
    recent(stream: LogStreamKey): KeyedHead {
      return heads.get(stream) ?? read(stream);
    },
    /** A head this connection has just committed. */
    remember(stream: LogStreamKey, head: KeyedHead): void {
      heads.remember(stream, head);
      confirm(slotOf(stream));
    },
    /** The stream was written in a transaction not yet committed: its held head is no longer the stored one. */
    written(stream: LogStreamKey): void {
      current.delete(slotOf(stream));
    },
    clear(): void {
      heads.clear();
      current.clear();
    },
  };
}
