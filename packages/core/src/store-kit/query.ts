declare const types: unique symbol;

/**
 * A SQL statement, written out in full in the store's `sql/` folder, with the types of its parameters
 * and of the rows it answers; each SQL store runs it with its own driver.
 */
export interface Query<Params extends unknown[], Row> {
  readonly text: string;
  readonly [types]?: { readonly params: Params; readonly row: Row };
}

export function query<Params extends unknown[], Row = never>(text: string): Query<Params, Row> {
  return { text };
}
