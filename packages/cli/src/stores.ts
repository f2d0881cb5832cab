import { createRoomService, type EventStore, type RoomService } from '@usher/core';
import { randomIds, systemClock } from '@usher/core/runtime';
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

/** Runs `work` on the chosen store, closes it, and exits with what `work` answers (0 ok, 1 failed). */
export async function withStore(choice: StoreChoice, work: (store: EventStore) => Promise<number>): Promise<void> {
  const store = await openStore(choice);
  let code = 1;
  try {
    code = await work(store);
  } finally {
    await store.close();
  }
  process.exitCode = code;
}

/** As `withStore`, through the room service: the one way in for reading rooms, as for the HTTP adapter. */
export function withService(choice: StoreChoice, work: (service: RoomService) => Promise<number>): Promise<void> {
  return withStore(choice, (store) => work(createRoomService({ store, clock: systemClock, ids: randomIds() })));
}
