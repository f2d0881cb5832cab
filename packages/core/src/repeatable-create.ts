import { createHash } from 'node:crypto';
import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { CommandResult } from './command-result.js';
import { ROOM_NOT_FOUND, type UsherError } from './errors.js';
import type { RoomId, StreamKey, TenantId } from './ids.js';
import type { EventStore } from './ports.js';
import { asRoomState, foldStream } from './stream-state.js';

/** ACS tracks a repeatable request for 5 minutes after its first sending (reference/acs-rooms.md §1.6). */
export const REPEATABILITY_WINDOW_MS = 5 * 60 * 1000;

/** What identifies a request that a client may send again, e.g. after a lost answer. */
export interface RepeatableRequest {
  /** Names the request for good: its first outcome is kept under it, in the event log. */
  readonly requestId: string;
  /** A digest of what the request asks for; a repeat that asks for something else is refused. */
  readonly requestHash: string;
  /** When the client first sent the request; it may be repeated within REPEATABILITY_WINDOW_MS of that. */
  readonly firstSent: Date;
}

/** The room a repeatable create made, now (`created`) or the first time it was sent (`replayed`). */
export type RoomCreatedOnce = CommandResult & { readonly outcome: 'created' | 'replayed' };

/** A 17-digit, ACS-shaped room id that is a function of the tenant and the request id. */
export function repeatableRoomId(tenantId: TenantId, requestId: string): RoomId {
  const digest = createHash('sha256').update(`${tenantId}\u0000${requestId}`).digest();
  return `99${(digest.readBigUInt64BE() % 10n ** 15n).toString().padStart(15, '0')}` as RoomId;
}

export interface RepeatableCreateSteps {
  readonly store: EventStore;
  /** Creates the room under this id, recording the request in its events. */
  create(stream: StreamKey): ResultAsync<CommandResult, UsherError>;
  /** Creates the room under a fresh id (when the derived one is taken by another room). */
  createElsewhere(): ResultAsync<CommandResult, UsherError>;
}

/**
 * A create that happens once per request id: the request's first outcome is found again through the
 * store's request ledger (so it survives restarts), and the room id follows from the request id, so
 * that copies of one request racing each other create one room — the losers find the id taken and
 * answer with the winner's room.
 */
export function createOnce(
  tenantId: TenantId,
  request: RepeatableRequest,
  now: Date,
  steps: RepeatableCreateSteps,
): ResultAsync<RoomCreatedOnce, UsherError> {
  const { requestId, requestHash } = request;
  if (Math.abs(now.getTime() - request.firstSent.getTime()) > REPEATABILITY_WINDOW_MS) {
    return errAsync({
      type: 'RepeatabilityWindowPassed',
      requestId,
      firstSent: request.firstSent.toISOString(),
      now: now.toISOString(),
      message: `Request ${requestId} was first sent at ${request.firstSent.toISOString()}, more than 5 minutes from now (${now.toISOString()}).`,
    });
  }

  const earlier = (): ResultAsync<RoomCreatedOnce | null, UsherError> =>
    steps.store.findByRequestId(tenantId, requestId).andThen((record) => {
      if (record === null) return okAsync(null);
      const stream = { tenantId, roomId: record.roomId };
      return steps.store.readStream(stream, { toVersion: record.toVersion }).andThen((events) => {
        if (events[record.fromVersion - 1]?.meta.requestHash !== requestHash) {
          return errAsync<RoomCreatedOnce | null, UsherError>({
            type: 'RepeatedRequestMismatch',
            requestId,
            message: `The request does not match the earlier request ${requestId}.`,
          });
        }
        const state = asRoomState(foldStream(events));
        if (state === null || state.status === 'absent') return errAsync<RoomCreatedOnce | null, UsherError>(ROOM_NOT_FOUND);
        return okAsync<RoomCreatedOnce | null, UsherError>({
          outcome: 'replayed',
          stream,
          state,
          version: record.toVersion,
          events: events.slice(record.fromVersion - 1),
        });
      });
    });

  const created = (result: CommandResult): RoomCreatedOnce => ({ ...result, outcome: 'created' });
  const stream = { tenantId, roomId: repeatableRoomId(tenantId, requestId) };
  return earlier().andThen((found) => {
    if (found !== null) return okAsync(found);
    return steps
      .create(stream)
      .map(created)
      .orElse((error) => {
        if (error.type !== 'RoomAlreadyExists') return errAsync(error);
        return earlier().andThen((winner) => (winner !== null ? okAsync(winner) : steps.createElsewhere().map(created)));
      });
  });
}
