import type { EventStore } from '@usher/core';
import { createPostgresStore, migratePostgres } from '@usher/store-postgres';
import pg from 'pg';
import type { StoreFactory } from './stores.js';

/**
 * The PostgreSQL server the suites use (`USHER_PG_URL`). Without one they are skipped with a message,
 * except under CI=true, where a missing server is a failure.
 */
export function postgresUrl(): string | null {
  const url = process.env.USHER_PG_URL;
  if (url !== undefined && url !== '') return url;
  if (process.env.CI === 'true') throw new Error('USHER_PG_URL is not set, and under CI=true the PostgreSQL suites must run.');
  console.warn('PostgreSQL suites skipped: set USHER_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them.');
  return null;
}

let schemas = 0;

/**
 * Each open store has a schema of its own, migrated the explicit way; the schema of a closed store is
 * emptied and used again (creating one per model-based run would cost more than the run). Dispose drops them.
 */
export function postgresFactory(url: string): StoreFactory & { schemaOf(store: EventStore): string } {
  const created: string[] = [];
  const free: string[] = [];
  const opened: EventStore[] = [];
  const schemaOfStore = new Map<EventStore, string>();
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  return {
    name: 'postgres',
    open: async () => {
      let schema = free.pop();
      if (schema === undefined) {
        schemas += 1;
        schema = `usher_test_${process.pid}_${schemas}`;
        created.push(schema);
        await migratePostgres({ connectionString: url, schema });
      } else {
        await admin.query(
          `TRUNCATE "${schema}".events, "${schema}".streams, "${schema}".participants, "${schema}".requests, "${schema}".checkpoints, "${schema}".signing_keys, "${schema}".leases, "${schema}".event_subscriptions, "${schema}".dead_letters`,
        );
      }
      const store = createPostgresStore({ connectionString: url, schema, poolSize: 4 });
      const reusable = schema;
      const wrapped: EventStore = {
        ...store,
        close: async () => {
          const wasOpen = opened.includes(wrapped);
          await store.close();
          if (wasOpen) {
            opened.splice(opened.indexOf(wrapped), 1);
            free.push(reusable);
          }
        },
      };
      opened.push(wrapped);
      schemaOfStore.set(wrapped, reusable);
      return wrapped;
    },
    schemaOf: (store) => {
      const schema = schemaOfStore.get(store);
      if (schema === undefined) throw new Error('not a store of this factory');
      return schema;
    },
    dispose: async () => {
      await Promise.all([...opened].map((store) => store.close()));
      for (const schema of created) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
