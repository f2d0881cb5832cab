export { MIGRATIONS, type Migration, type MigrationReport, SCHEMA_VERSION } from './migrations.js';
export { createPostgresStore, DEFAULT_SCHEMA, migratePostgres, type PostgresStoreOptions } from './postgres-store.js';
