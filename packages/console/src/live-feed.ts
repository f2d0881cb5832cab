import type { Checkpoints, EventStore } from '@usher/core';
import { type LogConsumer, startLogConsumer } from '@usher/core/runtime';
import { okAsync } from 'neverthrow';

/** Tells the pages that watch a room that its log moved on. */
export interface LiveFeed {
  /** Calls `changed` after each page of the log that holds events of the room; answers the unsubscribe. */
  watch(tenantId: string, roomId: string, changed: () => void): () => void;
  stop(): Promise<void>;
}

/** A position kept in memory: the console only reads, and begins at the log's end each time it starts. */
function memoryCheckpoints(): Checkpoints {
  const positions = new Map<string, number>();
  return {
    get: (name) => okAsync(positions.get(name) ?? null),
    set: (name, position) => {
      positions.set(name, position);
      return okAsync(undefined);
    },
  };
}

const keyOf = (tenantId: string, roomId: string) => `${tenantId}\u0000${roomId}`;

/**
 * One log consumer for the whole console, following the log from its end as it was at start: every
 * watcher of a room hears of the room's new events, whichever process or node appended them.
 */
export async function startLiveFeed(store: EventStore, options: { readonly maxIdleMs?: number } = {}): Promise<LiveFeed> {
  const head = await store.headPosition();
  if (head.isErr()) throw new Error(`The console could not read the log's end: ${head.error.message}`);
  const watchers = new Map<string, Set<() => void>>();
  let consumer: LogConsumer | null = startLogConsumer({
    store: { readAll: store.readAll.bind(store), headPosition: store.headPosition.bind(store), checkpoints: memoryCheckpoints() },
    checkpoint: 'console',
    startAfter: head.value,
    maxIdleMs: options.maxIdleMs ?? 250,
    handle: async (events) => {
      const touched = new Set(events.map((event) => keyOf(event.tenantId, event.roomId)));
      for (const key of touched) for (const changed of watchers.get(key) ?? []) changed();
    },
    onError: (error) => console.error('console live feed:', error instanceof Error ? error.message : error),
  });
  return {
    watch(tenantId, roomId, changed) {
      const key = keyOf(tenantId, roomId);
      const set = watchers.get(key) ?? new Set();
      set.add(changed);
      watchers.set(key, set);
      return () => {
        set.delete(changed);
        if (set.size === 0) watchers.delete(key);
      };
    },
    async stop() {
      const running = consumer;
      consumer = null;
      await running?.stop();
    },
  };
}
