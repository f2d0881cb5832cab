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
  const update = rosterUpdate(event, 0);
  if (update === null) return null;
  const { version: _, ...change } = update;
  return change;
}

/**
 * A roster change with the version of the event that made it: for an added participant, the key of
 * the roster listing (a version is the room's own, unlike a log position, which tells of every tenant).
 */
export type RosterUpdate = RosterChange & { readonly version: number };

/** `rosterChange` with the event's version, made as one object: projectBatch runs it for every event of a rebuild. */
function rosterUpdate(event: DomainEvent, version: number): RosterUpdate | null {
  switch (event.type) {
    case 'ParticipantAdded':
      return { kind: 'add', participant: event.data.participant, role: event.data.role, version };
    case 'ParticipantRoleChanged':
      return { kind: 'changeRole', participant: event.data.participant, role: event.data.to, version };
    case 'ParticipantRemoved':
      return { kind: 'remove', participant: event.data.participant, version };
    case 'RoomDeleted':
      return { kind: 'clear', version };
    default:
      return null;
  }
}

/**
 * The roster changes of a run reduced to what they leave in a roster table (upsert on add, update of a
 * row that is there on a role change, delete on remove, delete all on clear), given the state before
 * the run: a clear and what follows it, and for each participant one change that has the effect of all
 * of its own. A participant added and removed within the run who was not there before needs no write;
 * neither does a role change or removal of one who is not there. A stream state's roster holds every
 * participant its table does (a role change of one who is absent adds it to the state only), so a
 * participant the state lacks has no row.
 */
export function netRosterChanges(before: StreamState, changes: readonly RosterUpdate[]): readonly RosterUpdate[] {
  if (changes.length < 2) return changes;
  let clear: RosterUpdate | null = null;
  const lastOf = new Map<ParticipantId, Exclude<RosterUpdate, { kind: 'clear' }>>();
  for (const change of changes) {
    if (change.kind === 'clear') {
      clear = change;
      lastOf.clear();
      continue;
    }
    const previous = lastOf.get(change.participant);
    if (change.kind === 'changeRole' && previous !== undefined) {
      // A role change rewrites the role of the row an add wrote, keeping its version (the listing key), and leaves a removed participant removed.
      if (previous.kind !== 'remove') lastOf.set(change.participant, { ...previous, role: change.role });
      continue;
    }
    lastOf.set(change.participant, change);
  }
  const rowBefore = (participant: ParticipantId) => clear === null && before.status === 'active' && before.room.roster.has(participant);
  const net: RosterUpdate[] = clear === null ? [] : [clear];
  for (const change of lastOf.values()) if (change.kind === 'add' || rowBefore(change.participant)) net.push(change);
  return net;
}

/** An event that carries a request id, for the request ledger. */
export interface RequestMark {
  readonly requestId: string;
  readonly version: number;
  readonly at: string;
}

/** The marks of consecutive versions of one request, written to the ledger at once. */
export interface RequestRange {
  readonly requestId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** The first mark's: a record keeps the time its request first wrote. */
  readonly at: string;
}

/**
 * A run's request marks as ranges that `recordRequest`'s rule, applied to each range as to a mark,
 * leaves the ledger as the marks one by one would: consecutive versions of one request make one range
 * (each extends the record the one before wrote or left, or none of them does). A request's later range
 * in the run is left out, as the rule would leave it: the first one recorded the request, and the
 * version just before the later one is not the request's, so the record cannot end there.
 */
export function requestRanges(marks: readonly RequestMark[]): readonly RequestRange[] {
  const ranges: RequestRange[] = [];
  const seen = new Set<string>();
  let open: { requestId: string; fromVersion: number; toVersion: number; at: string } | null = null;
  for (const mark of marks) {
    if (open !== null && open.requestId === mark.requestId && open.toVersion === mark.version - 1) {
      open.toVersion = mark.version;
      continue;
    }
    if (seen.has(mark.requestId)) {
      open = null;
      continue;
    }
    seen.add(mark.requestId);
    open = { requestId: mark.requestId, fromVersion: mark.version, toVersion: mark.version, at: mark.at };
    ranges.push(open);
  }
  return ranges;
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
  for (let index = 0; index < events.length; index += 1) {
    const event = events[index] as ChainedEvent;
    // Only RoomCreated makes a room exist (evolve), so the first one of a room that never existed is its creation.
    if (createdIndex === null && head.createdPosition === null && event.type === 'RoomCreated') createdIndex = index;
    if (event.type === 'RoomCreated') {
      if (status !== 'absent') roster.push({ kind: 'clear', version: event.version });
      status = 'active';
    } else if (status === 'active') {
      const update = rosterUpdate(event, event.version);
      if (update !== null) roster.push(update);
      if (event.type === 'RoomDeleted') status = 'deleted';
    }
    // The request ledger is the rooms' (repeatable create): identities' events stay out of it.
    if (event.meta.requestId !== undefined && !isIdentityEvent(event))
      requests.push({ requestId: event.meta.requestId, version: event.version, at: event.meta.at });
  }
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
 * Whether two states of a stream differ in their roster alone (or not at all), so that a store that
 * keeps the roster in its own table need not write the rest again. Compares the room's other fields
 * by identity, as a decision that leaves them be hands them on: a field rebuilt with equal contents
 * counts as changed, which costs a write and is never wrong.
 */
export function sameApartFromRoster(before: StreamState, after: StreamState): boolean {
  if (before === after) return true;
  if (before.status !== 'active' || after.status !== 'active') return false;
  const left = before.room as unknown as Readonly<Record<string, unknown>>;
  const right = after.room as unknown as Readonly<Record<string, unknown>>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && (key === 'roster' || left[key] === right[key]));
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
