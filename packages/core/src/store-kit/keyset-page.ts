import { errAsync, type ResultAsync } from 'neverthrow';
import { type Keyset, type PageKeys, parsePageRequest, toPage } from '../paging.js';
import type { Page, PageRequest } from '../ports.js';
import type { ValidationError } from '../validation-error.js';

/**
 * One keyset page: `readRows` answers up to `pageSize + 1` rows past `keyset.after` in listing order (the
 * extra row says whether another page follows); `keyOf` is the key the next page starts after.
 */
export function keysetPage<K, Row, Item, E>(
  keys: PageKeys<K>,
  request: PageRequest,
  readRows: (keyset: Keyset<K>) => ResultAsync<readonly Row[], E>,
  keyOf: (row: Row) => K,
  toItem: (row: Row) => Item,
): ResultAsync<Page<Item>, E | ValidationError> {
  const keyset = parsePageRequest(keys, request);
  if (keyset.isErr()) return errAsync(keyset.error);
  return readRows(keyset.value).map((rows) => {
    const page = toPage(keys, rows, keyset.value.pageSize, keyOf);
    return { items: page.items.map(toItem), nextPageToken: page.nextPageToken };
  });
}
