import type Database from 'better-sqlite3';

const CLEAR_PROJECTIONS = `
  DELETE FROM streams;
  DELETE FROM participants;
  DELETE FROM requests;`;

export function clearProjections(db: Database.Database): void {
  db.exec(CLEAR_PROJECTIONS);
}
