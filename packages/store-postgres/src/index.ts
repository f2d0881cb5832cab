export { MIGRATIONS, type Migration, type MigrationReport, SCHEMA_VERSION } from './migrations.js';
export { checkPostgresSchema, createPostgresStore, DEFAULT_SCHEMA, migratePostgres, type PostgresStoreOptions } from './postgres-store.js';
