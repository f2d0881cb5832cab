import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@usher/core';
import { createMemoryStore } from '@usher/store-memory';
import { createSqliteStore, type SqliteStoreOptions } from '@usher/store-sqlite';
import { ResultAsync } from 'neverthrow';

export interface StoreFactory {
  readonly name: string;
  /** A new, empty store. */
  open(): Promise<EventStore>;
  /** Removes whatever the factory created on disk. */
  dispose(): Promise<void>;
}

export function memoryFactory(): StoreFactory {
  return { name: 'memory', open: async () => createMemoryStore(), dispose: async () => {} };
}

export function temporaryDirectory(prefix: string) {
  const path = mkdtempSync(join(tmpdir(), `usher-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Each store is a new SQLite file on disk, never `:memory:`, so that the tests see what users get. */
export function sqliteFactory(options: Omit<SqliteStoreOptions, 'path'> = {}): StoreFactory {
  const directory = temporaryDirectory('sqlite');
  const opened: EventStore[] = [];
  let files = 0;
  return {
    name: 'sqlite',
    open: async () => {
      files += 1;
      const store = createSqliteStore({ ...options, path: join(directory.path, `store-${files}.db`) });
      opened.push(store);
      return store;
    },
    dispose: async () => {
      await Promise.all(opened.map((store) => store.close()));
      directory.remove();
    },
  };
}

/** Every store the contract and property suites run against. */
export function storeFactories(): StoreFactory[] {
  return [memoryFactory(), sqliteFactory({ synchronous: 'NORMAL' })];
}

/**
 * The real store, answering its reads a little later, as a database across a network does: lets
 * concurrent requests interleave between their reads and their writes, which they never do on an
 * in-process store.
 */
export function withReadLatency(store: EventStore, ms: number): EventStore {
  const later = <T, E>(result: ResultAsync<T, E>) =>
    ResultAsync.fromSafePromise(new Promise((resolve) => setTimeout(resolve, ms))).andThen(() => result);
  return {
    ...store,
    loadRoom: (stream) => later(store.loadRoom(stream)),
    findByRequestId: (tenantId, requestId) => later(store.findByRequestId(tenantId, requestId)),
  };
}
