import { DEFAULT_SCHEMA, migratePostgres } from '@usher/store-postgres';
import { type Command, Option } from 'commander';

/** `usher migrate`: the one step that creates or changes the PostgreSQL schema. */
export function addMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Create or update the PostgreSQL schema (an explicit step: serving never changes the schema)')
    .addOption(new Option('--postgres <url>', 'PostgreSQL connection URL').env('USHER_PG_URL').makeOptionMandatory())
    .addOption(new Option('--schema <name>', 'schema to hold the tables').env('USHER_PG_SCHEMA').default(DEFAULT_SCHEMA))
    .action(async (options: { postgres: string; schema: string }) => {
      const report = await migratePostgres({ connectionString: options.postgres, schema: options.schema });
      console.log(
        report.applied.length === 0
          ? `schema "${options.schema}" is up to date (version ${report.version})`
          : `schema "${options.schema}" migrated to version ${report.version} (applied ${report.applied.join(', ')})`,
      );
    });
}
