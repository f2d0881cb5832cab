import type Database from 'better-sqlite3';
import { EVENT_COLUMNS, type EventRow } from '../rows.js';
import { statement } from './statement.js';

/** Gap-free: one writer at a time assigns positions in commit order, and a reader sees a committed prefix. */
const SELECT_AFTER_POSITION = `
  SELECT ${EVENT_COLUMNS}
  FROM events
  WHERE position > ?
  ORDER BY position
  LIMIT ?`;

const COUNT_EVENTS = 'SELECT count(*) AS total FROM events';

export function prepareReadAll(db: Database.Database) {
  return {
    after: statement<[number, number], EventRow>(db, SELECT_AFTER_POSITION),
    count: statement<[], { total: number }>(db, COUNT_EVENTS),
  };
}
