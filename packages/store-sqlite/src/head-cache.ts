import type { StreamKey } from '@usher/core';
import type Database from 'better-sqlite3';
import { EMPTY_HEAD, headFromRow, type StreamHead } from './projection.js';
import { prepareHeads } from './sql/heads.js';

export const DEFAULT_HEAD_CACHE_SIZE = 1024;

/**
 * The heads of recently used streams, so that loading a room or appending to it parses the folded
 * state only when another process (or nobody yet) has moved the stream since this one last saw it.
 * A head is reused only while the stored version and hash still match it.
 */
export function createHeadCache(db: Database.Database, capacity = DEFAULT_HEAD_CACHE_SIZE) {
  const sql = prepareHeads(db);
  const heads = new Map<string, StreamHead>();
  const keyOf = (stream: StreamKey) => `${stream.tenantId}\u0000${stream.roomId}`;

  function remember(stream: StreamKey, head: StreamHead): void {
    if (capacity <= 0) return;
    const key = keyOf(stream);
    heads.delete(key);
    heads.set(key, head);
    if (heads.size > capacity) heads.delete(heads.keys().next().value as string);
  }

  /** The stream's current head; within a transaction, the one that transaction sees. */
  function read(stream: StreamKey): StreamHead {
    const stored = sql.version.get(stream.tenantId, stream.roomId);
    if (stored === undefined) return EMPTY_HEAD;
    const held = heads.get(keyOf(stream));
    if (held !== undefined && held.version === stored.version && held.lastHash === stored.last_hash) return held;
    const head = headFromRow(sql.full.get(stream.tenantId, stream.roomId));
    remember(stream, head);
    return head;
  }

  return { read, remember, clear: () => heads.clear() };
}
