export { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export { checkPostgresSchema, createPostgresStore, DEFAULT_SCHEMA, migratePostgres, type PostgresStoreOptions } from './postgres-store.js';
