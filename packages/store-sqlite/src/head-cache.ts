import type { LogStreamKey, StreamState } from '@usher/core';
import { EMPTY_HEAD, type StreamHead, stateWithRoster, streamHeadCache } from '@usher/core/store-kit';
import type { HeadRow } from './sql/heads.js';
import type { Statements } from './statements.js';

export const DEFAULT_HEAD_CACHE_SIZE = 1024;

function headFromRow(statements: Statements, stream: LogStreamKey, row: HeadRow | undefined): StreamHead {
  if (row === undefined) return EMPTY_HEAD;
  const stored = JSON.parse(row.state) as StreamState;
  const state = stateWithRoster(stored, () => statements.roster.all(stream.tenantId, stream.roomId));
  return { version: row.version, lastHash: row.last_hash, state, createdPosition: row.created_position };
}

/**
 * The heads of recently used streams, so that loading a room or appending to it parses the folded
 * state only when another process (or nobody yet) has moved the stream since this one last saw it.
 * A head is reused only while the stored version and hash still match it.
 */
export function createHeadCache(statements: Statements, capacity = DEFAULT_HEAD_CACHE_SIZE) {
  const heads = streamHeadCache(capacity);

  /** The stream's current head; within a transaction, the one that transaction sees. */
  function read(stream: LogStreamKey): StreamHead {
    const stored = statements.headVersion.get(stream.tenantId, stream.roomId);
    if (stored === undefined) return EMPTY_HEAD;
    const held = heads.get(stream);
    if (held !== undefined && held.version === stored.version && held.lastHash === stored.last_hash) return held;
    const head = headFromRow(statements, stream, statements.head.get(stream.tenantId, stream.roomId));
    heads.remember(stream, head);
    return head;
  }

  return { read, remember: heads.remember, clear: heads.clear };
}
