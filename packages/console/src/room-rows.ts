import {
  type EventStore,
  type Page,
  type ParticipantId,
  parseParticipantId,
  parseRoomId,
  type RoomId,
  type StoreError,
  type TenantId,
  type ValidationError,
} from '@usher/core';
import { err, errAsync, ok, type Result, ResultAsync } from 'neverthrow';

/** A line of the rooms page. */
export interface RoomRow {
  readonly roomId: RoomId;
  readonly createdAt: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly deleted: boolean;
  readonly rosterSize: number;
  readonly callActive: boolean;
  readonly callSize: number;
}

/** The rooms a search finds, at most this many shown. */
export const SEARCH_LIMIT = 100;

function rowsOf(store: EventStore, tenantId: TenantId, roomIds: readonly RoomId[]): ResultAsync<RoomRow[], StoreError> {
  return ResultAsync.combine(roomIds.map((roomId) => store.loadRoom({ tenantId, roomId }).map((loaded) => ({ roomId, loaded })))).map((found) =>
    found.flatMap(({ roomId, loaded }) => {
      if (loaded === null || loaded.state.status === 'absent') return [];
      const { room } = loaded.state;
      const callSize = room.call === null ? 0 : Object.keys(room.call.participants).length;
      return [
        {
          roomId,
          createdAt: room.createdAt,
          validFrom: room.validFrom,
          validUntil: room.validUntil,
          deleted: loaded.state.status === 'deleted',
          rosterSize: room.roster.size,
          callActive: room.call !== null,
          callSize,
        },
      ];
    }),
  );
}

/** A page of the tenant's rooms, newest first (deleted rooms are not listed, as in the API; a search finds them). */
export function listRoomRows(
  store: EventStore,
  tenantId: TenantId,
  page: { readonly pageToken?: string | undefined; readonly pageSize: number },
): ResultAsync<Page<RoomRow>, StoreError | ValidationError> {
  return store.listRooms({ tenantId, ...page }).andThen((found) =>
    rowsOf(
      store,
      tenantId,
      found.items.map((room) => room.roomId),
    ).map((items) => ({ items, nextPageToken: found.nextPageToken })),
  );
}

export interface SearchResult {
  readonly rows: readonly RoomRow[];
  /** How many rooms matched; more than `rows` when the search found over SEARCH_LIMIT. */
  readonly matched: number;
}

export interface SearchRefused {
  readonly type: 'SearchRefused';
  readonly message: string;
}

export function parseSearch(
  query: string,
): Result<{ kind: 'room'; roomId: RoomId } | { kind: 'participant'; participant: ParticipantId }, SearchRefused> {
  const roomId = parseRoomId(query);
  if (roomId.isOk()) return ok({ kind: 'room', roomId: roomId.value });
  const participant = parseParticipantId(query);
  if (participant.isOk()) return ok({ kind: 'participant', participant: participant.value });
  return err({
    type: 'SearchRefused',
    message: `“${query}” is neither a room id (16 to 18 digits) nor a participant id (such as 8:acs:<resource>_<user>).`,
  });
}

/** The rooms with this id, or whose roster holds this participant, newest first; deleted rooms included. */
export function searchRooms(store: EventStore, tenantId: TenantId, query: string): ResultAsync<SearchResult, StoreError | SearchRefused> {
  const parsed = parseSearch(query.trim());
  if (parsed.isErr()) return errAsync(parsed.error);
  const search = parsed.value;
  const ids =
    search.kind === 'room'
      ? ResultAsync.fromSafePromise<readonly RoomId[]>(Promise.resolve([search.roomId]))
      : store.roomsOfParticipant(tenantId, search.participant);
  return ids.andThen((roomIds) =>
    rowsOf(store, tenantId, roomIds).map((rows) => {
      const newestFirst = [...rows].sort((left, right) => right.createdAt.localeCompare(left.createdAt));
      return { rows: newestFirst.slice(0, SEARCH_LIMIT), matched: newestFirst.length };
    }),
  );
}
