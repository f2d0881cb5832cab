import type { EventStore } from '@usher/core';
import { checkPostgresSchema, createPostgresStore, DEFAULT_SCHEMA } from '@usher/store-postgres';
import { createSqliteStore } from '@usher/store-sqlite';
import { type Command, Option } from 'commander';

export interface StoreChoice {
  readonly db: string;
  readonly postgres?: string | undefined;
  readonly schema: string;
}

/** The store flags every command shares: a SQLite file by default, PostgreSQL when given. */
export function withStoreOptions(command: Command): Command {
  return command
    .addOption(new Option('--db <path>', 'SQLite database file').env('USHER_DB').default('./usher.db'))
    .addOption(new Option('--postgres <url>', 'use PostgreSQL instead of the SQLite file').env('USHER_PG_URL'))
    .addOption(new Option('--schema <name>', 'PostgreSQL schema holding the tables').env('USHER_PG_SCHEMA').default(DEFAULT_SCHEMA));
}

export async function openStore(choice: StoreChoice): Promise<EventStore> {
  if (choice.postgres === undefined) return createSqliteStore({ path: choice.db });
  const options = { connectionString: choice.postgres, schema: choice.schema };
  await checkPostgresSchema(options);
  return createPostgresStore(options);
}

export function describeStore(choice: StoreChoice): string {
  return choice.postgres === undefined ? choice.db : `PostgreSQL schema ${choice.schema}`;
}
