import { type ChainedEvent, MAX_VERSION, type StoredEvent } from '../envelope.js';
import { type DomainEvent, isIdentityEvent } from '../events.js';
import type { LogStreamKey, ParticipantId, RoomId, TenantId } from '../ids.js';
import type { ReadRange, RequestRecord } from '../ports.js';
import type { Role } from '../roles.js';
import { EMPTY_ROSTER, type RoomState, reviveRoomState, rosterOf } from '../state.js';
import { foldStream, type StreamState } from '../stream-state.js';
import type { StreamHead } from './stream-head.js';

/** How one event changes the roster read model. */
export type RosterChange =
  | { readonly kind: 'add'; readonly participant: ParticipantId; readonly role: Role }
  | { readonly kind: 'changeRole'; readonly participant: ParticipantId; readonly role: Role }
  | { readonly kind: 'remove'; readonly participant: ParticipantId }
  | { readonly kind: 'clear' };

export function rosterChange(event: DomainEvent): RosterChange | null {
  switch (event.type) {
    case 'ParticipantAdded':
      return { kind: 'add', participant: event.data.participant, role: event.data.role };
    case 'ParticipantRoleChanged':
      return { kind: 'changeRole', participant: event.data.participant, role: event.data.to };
    case 'ParticipantRemoved':
      return { kind: 'remove', participant: event.data.participant };
    case 'RoomDeleted':
      return { kind: 'clear' };
    default:
      return null;
  }
}

/**
 * A roster change with the version of the event that made it: for an added participant, the key of
 * the roster listing (a version is the room's own, unlike a log position, which tells of every tenant).
 */
export type RosterUpdate = RosterChange & { readonly version: number };

/** An event that carries a request id, for the request ledger. */
export interface RequestMark {
  readonly requestId: string;
  readonly version: number;
  readonly at: string;
}

/** What a run of consecutive events of one stream changes in the read models. */
export interface BatchProjection {
  /** The stream's version, last hash and folded state after the run. */
  readonly version: number;
  readonly lastHash: string;
  readonly state: StreamState;
  /** Index in the run of the event that brought the room into existence, when it is in this run. */
  readonly createdIndex: number | null;
  readonly roster: readonly RosterUpdate[];
  readonly requests: readonly RequestMark[];
}

/**
 * The one projection step of every store, on append and on rebuild alike, so that a rebuild can only
 * give what the appends gave. `decided` is the state the decider reached with these very events on
 * this very head (see `EventStore.append`): given, the events are not folded a second time.
 */
export function projectBatch(head: StreamHead, events: readonly ChainedEvent[], decided?: StreamState): BatchProjection {
  const roster: RosterUpdate[] = [];
  const requests: RequestMark[] = [];
  let createdIndex: number | null = null;
  // The roster table follows the state, as evolve does: roster events count only while the room is
  // active, and a RoomCreated starts a new, empty roster (a log may hold events that break the rules).
  let status: StreamState['status'] = head.state.status;
  events.forEach((event, index) => {
    // Only RoomCreated makes a room exist (evolve), so the first one of a room that never existed is its creation.
    if (createdIndex === null && head.createdPosition === null && event.type === 'RoomCreated') createdIndex = index;
    if (event.type === 'RoomCreated') {
      if (status !== 'absent') roster.push({ kind: 'clear', version: event.version });
      status = 'active';
    } else if (status === 'active') {
      const change = rosterChange(event);
      if (change !== null) roster.push({ ...change, version: event.version });
      if (event.type === 'RoomDeleted') status = 'deleted';
    }
    // The request ledger is the rooms' (repeatable create): identities' events stay out of it.
    if (event.meta.requestId !== undefined && !isIdentityEvent(event))
      requests.push({ requestId: event.meta.requestId, version: event.version, at: event.meta.at });
  });
  const last = events[events.length - 1];
  return {
    version: last?.version ?? head.version,
    lastHash: last?.hash ?? head.lastHash,
    state: decided ?? foldStream(events, head.state),
    createdIndex,
    roster,
    requests,
  };
}

/**
 * The state as a store keeps it beside its roster table: an active room's roster lives in the table
 * (one row per change), so the stored state leaves it out — writing the whole roster on every append
 * cost as much as the roster is long. A deleted room keeps it: its rows are gone, and it never changes.
 */
export function stateWithoutRoster(state: StreamState): StreamState {
  return state.status === 'active' ? { status: 'active', room: { ...state.room, roster: EMPTY_ROSTER } } : state;
}

/**
 * The state a store kept as JSON, read back: an active room's roster from its table (rows in the order
 * first added), a deleted room's from the JSON itself.
 */
export function stateWithRoster(stored: StreamState, rows: () => Iterable<{ readonly participant_id: string; readonly role: string }>): StreamState {
  if (stored.status !== 'active') return reviveRoomState(stored);
  const roster = rosterOf(Array.from(rows(), (row): [ParticipantId, Role] => [row.participant_id as ParticipantId, row.role as Role]));
  return { status: 'active', room: { ...stored.room, roster } };
}

/** The head after a projected run, once the store knows the position of each of its events. */
export function headAfter(head: StreamHead, batch: BatchProjection, positionAt: (index: number) => number): StreamHead {
  return {
    version: batch.version,
    lastHash: batch.lastHash,
    state: batch.state,
    createdPosition: batch.createdIndex === null ? head.createdPosition : positionAt(batch.createdIndex),
  };
}

/** What the SQL stores keep of a room next to its state, so that rooms are read and listed without parsing it. */
export interface SummaryColumns {
  readonly status: RoomState['status'];
  readonly createdAt: string | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly pstnDialOutEnabled: boolean | null;
  /** When the room's call is due to be ended by the expiry schedule: its validUntil, for an active room with the endCall policy and a call on; else null. */
  readonly callExpiresAt: string | null;
}

export function summaryColumns(state: StreamState): SummaryColumns {
  // An identity's stream is no room: stored as `absent`, it is never read or listed as one.
  const room = state.status === 'absent' || state.status === 'identity' ? null : state.room;
  return {
    status: state.status === 'identity' ? 'absent' : state.status,
    createdAt: room?.createdAt ?? null,
    validFrom: room?.validFrom ?? null,
    validUntil: room?.validUntil ?? null,
    pstnDialOutEnabled: room?.pstnDialOutEnabled ?? null,
    callExpiresAt: state.status === 'active' && state.room.expiryPolicy === 'endCall' && state.room.call !== null ? state.room.validUntil : null,
  };
}

/**
 * The request ledger's rule: a request id names the contiguous run of events it first appended to one
 * room; a later run elsewhere, or after a gap, does not move it. The SQL stores say the same in SQL.
 */
export function recordRequest(existing: RequestRecord | undefined, stream: LogStreamKey, mark: RequestMark): RequestRecord {
  if (existing === undefined) {
    return {
      tenantId: stream.tenantId,
      requestId: mark.requestId,
      // Only room events are marked (projectBatch), so the stream is a room's.
      roomId: stream.roomId as RoomId,
      fromVersion: mark.version,
      toVersion: mark.version,
      at: mark.at,
    };
  }
  return existing.roomId === stream.roomId && existing.toVersion === mark.version - 1 ? { ...existing, toVersion: mark.version } : existing;
}

/** Splits a page of the log into runs of consecutive events of one stream: what a rebuild projects at a time, as the append that wrote them did. */
export function* streamRuns(events: readonly StoredEvent[]): Generator<{ readonly stream: LogStreamKey; readonly events: readonly StoredEvent[] }> {
  for (let start = 0; start < events.length; ) {
    const first = events[start] as StoredEvent;
    let end = start + 1;
    while (end < events.length && events[end]?.tenantId === first.tenantId && events[end]?.roomId === first.roomId) end += 1;
    yield { stream: { tenantId: first.tenantId as TenantId, roomId: first.roomId as RoomId | ParticipantId }, events: events.slice(start, end) };
    start = end;
  }
}

/** A stream read's version range, within the versions a stream can have; null when nothing can be in it. */
export function versionBounds(range: ReadRange): { readonly from: number; readonly to: number } | null {
  const from = Math.max(1, range.fromVersion ?? 1);
  const to = Math.min(MAX_VERSION, range.toVersion ?? MAX_VERSION);
  return from > to ? null : { from, to };
}
