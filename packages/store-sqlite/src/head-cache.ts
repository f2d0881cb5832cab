import { EMPTY_HEAD, type StreamHead, type StreamKey, streamHeadCache } from '@usher/core';
import type Database from 'better-sqlite3';
import { headFromRow } from './projection.js';
import { prepareHeads } from './sql/heads.js';

export const DEFAULT_HEAD_CACHE_SIZE = 1024;

/**
 * The heads of recently used streams, so that loading a room or appending to it parses the folded
 * state only when another process (or nobody yet) has moved the stream since this one last saw it.
 * A head is reused only while the stored version and hash still match it.
 */
export function createHeadCache(db: Database.Database, capacity = DEFAULT_HEAD_CACHE_SIZE) {
  const sql = prepareHeads(db);
  const heads = streamHeadCache(capacity);

  /** The stream's current head; within a transaction, the one that transaction sees. */
  function read(stream: StreamKey): StreamHead {
    const stored = sql.version.get(stream.tenantId, stream.roomId);
    if (stored === undefined) return EMPTY_HEAD;
    const held = heads.get(stream);
    if (held !== undefined && held.version === stored.version && held.lastHash === stored.last_hash) return held;
    const head = headFromRow(sql.full.get(stream.tenantId, stream.roomId));
    heads.remember(stream, head);
    return head;
  }

  return { read, remember: heads.remember, clear: heads.clear };
}
