import type Database from 'better-sqlite3';

/** The part of a prepared statement the store uses, under a type that declaration files can name. */
export interface Statement<Params extends unknown[], Row> {
  run(...params: Params): Database.RunResult;
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
}

export function statement<Params extends unknown[], Row = never>(db: Database.Database, sql: string): Statement<Params, Row> {
  return db.prepare<Params, Row>(sql);
}
