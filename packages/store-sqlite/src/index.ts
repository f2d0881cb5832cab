export { MIGRATIONS, migrate, SCHEMA_VERSION, schemaVersionOf } from './migrations.js';
export {
  createSqliteStore,
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_SYNCHRONOUS,
  DEFAULT_WAL_AUTOCHECKPOINT_PAGES,
  openSqliteDatabase,
  SQLITE_SYNCHRONOUS_LEVELS,
  type SqliteStoreOptions,
  type SqliteSynchronous,
} from './sqlite-store.js';
export { createWalSync, type FileSync, type WalSync } from './wal-sync.js';
export { createWalWriter, DEFAULT_WAL_WRITER_DELAY_MS, type WalWriter } from './wal-writer.js';
