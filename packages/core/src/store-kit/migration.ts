/** A versioned schema change of a SQL store; a released one is never edited, a change is a new one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface MigrationReport {
  /** The versions this run applied, oldest first; empty when the schema was up to date. */
  readonly applied: readonly number[];
  readonly version: number;
}

/** The version a schema has once every migration in the list is applied. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((latest, migration) => Math.max(latest, migration.version), 0);
}
