import type { Query } from '@usher/core/store-kit';
import type pg from 'pg';

/** Runs one of the store's statements (sql/) on a pool or a client, answering its rows. */
export async function rowsOf<Params extends unknown[], Row extends pg.QueryResultRow>(
  client: pg.Pool | pg.PoolClient,
  statement: Query<Params, Row>,
  ...params: Params
): Promise<Row[]> {
  return (await client.query<Row>(statement.text, params)).rows;
}
