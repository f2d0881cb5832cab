import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { type Aborted, aborted, type StoreError } from '../errors.js';
import { isIdentityEvent } from '../events.js';
import { type ChainBreak, streamVerifier } from '../hash-chain.js';
import type { LogStreamKey, ParticipantId, RoomId, StreamKey, TenantId } from '../ids.js';
import type { AbortSignalLike, EventStore } from '../ports.js';
import { foldStream } from '../stream-state.js';

export interface VerifyProgress {
  readonly phase: 'chain' | 'projections';
  readonly processed: number;
  /** In the projections phase, how many streams there are to check. */
  readonly total?: number;
}

export interface VerifyReport {
  readonly events: number;
  /** Rooms and identities: every stream of the log. */
  readonly streams: number;
  /** The streams that are rooms. */
  readonly rooms: number;
}

export type VerifyFailure =
  | ChainBreak
  | { readonly type: 'PositionGap'; readonly afterPosition: number; readonly position: number; readonly message: string }
  | { readonly type: 'ProjectionMismatch'; readonly tenantId: string; readonly roomId: string; readonly version: number; readonly message: string };

const keyOf = (tenantId: string, roomId: string) => `${tenantId}\u0000${roomId}`;

/**
 * Checks a whole store: every stream's hash chain and version continuity, the log's positions, and
 * that each room's projection equals a fresh replay of its events. Reads the log a page at a time;
 * memory grows with the number of rooms (one chain head each), not with the number of events.
 */
export function verify(
  store: EventStore,
  options: {
    readonly pageSize?: number;
    readonly onProgress?: (progress: VerifyProgress) => void;
    /** Looked at between pages and between streams: once aborted, verification stops with `Aborted`. */
    readonly signal?: AbortSignalLike | undefined;
  } = {},
): ResultAsync<VerifyReport, VerifyFailure | StoreError | Aborted> {
  const pageSize = options.pageSize ?? 10_000;
  const verifiers = new Map<string, ReturnType<typeof streamVerifier>>();
  const streams: LogStreamKey[] = [];
  const abandoned = () => options.signal?.aborted === true;

  // Loops, not recursion through promise chains: nothing of a page outlives the reading of it.
  const run = async (): Promise<Result<VerifyReport, VerifyFailure | StoreError | Aborted>> => {
    let last = 0;
    let processed = 0;
    let rooms = 0;
    for (;;) {
      if (abandoned()) return err(aborted(`Verification was abandoned after ${processed} events.`));
      const page = await store.readAll({ afterPosition: last, limit: pageSize });
      if (page.isErr()) return err(page.error);
      for (const event of page.value) {
        if (event.position !== last + 1) {
          return err({
            type: 'PositionGap',
            afterPosition: last,
            position: event.position,
            message: `The log jumps from position ${last} to ${event.position}.`,
          });
        }
        last = event.position;
        const key = keyOf(event.tenantId, event.roomId);
        let verifier = verifiers.get(key);
        if (verifier === undefined) {
          verifier = streamVerifier({ tenantId: event.tenantId as TenantId, roomId: event.roomId as RoomId });
          verifiers.set(key, verifier);
          streams.push({ tenantId: event.tenantId as TenantId, roomId: event.roomId as RoomId | ParticipantId });
          // A stream is an identity's or a room's from its first event on.
          if (!isIdentityEvent(event)) rooms += 1;
        }
        const checked = verifier.next(event);
        if (checked.isErr()) return err(checked.error);
      }
      processed += page.value.length;
      options.onProgress?.({ phase: 'chain', processed });
      if (page.value.length < pageSize) break;
    }
    for (const [index, stream] of streams.entries()) {
      if (abandoned()) return err(aborted(`Verification was abandoned after ${index} of ${streams.length} projections.`));
      const events = await store.readStream(stream);
      if (events.isErr()) return err(events.error);
      const loaded = await store.loadStream(stream);
      if (loaded.isErr()) return err(loaded.error);
      const replayed = { version: events.value.length, state: foldStream(events.value) };
      if (!sameJson(loaded.value, replayed)) {
        return err({
          type: 'ProjectionMismatch',
          tenantId: stream.tenantId,
          roomId: stream.roomId,
          version: events.value.length,
          message: `The stored projection of room ${stream.roomId} (tenant ${stream.tenantId}) differs from a replay of its ${events.value.length} events.`,
        });
      }
      options.onProgress?.({ phase: 'projections', processed: index + 1, total: streams.length });
    }
    return ok({ events: processed, streams: streams.length, rooms });
  };

  return new ResultAsync(run());
}

/** Deep equality of JSON values regardless of key order (a store may hand back objects with keys reordered). */
function sameJson(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  // A roster compares as the JSON it is stored as.
  if (hasToJson(left) || hasToJson(right)) return sameJson(hasToJson(left) ? left.toJSON() : left, hasToJson(right) ? right.toJSON() : right);
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left).filter((key) => (left as Record<string, unknown>)[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => (right as Record<string, unknown>)[key] !== undefined);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) => sameJson((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]));
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * One room's chain, read a chunk of versions at a time: its head (version and hash) when every event
 * links to the one before and matches its hash, or the first event that does not.
 */
export function verifyRoomChain(
  store: EventStore,
  stream: LogStreamKey,
  options: { readonly chunk?: number } = {},
): ResultAsync<{ readonly version: number; readonly hash: string }, ChainBreak | StoreError> {
  const chunk = options.chunk ?? 1000;
  const run = async (): Promise<Result<{ version: number; hash: string }, ChainBreak | StoreError>> => {
    const verifier = streamVerifier(stream as StreamKey);
    for (;;) {
      const from = verifier.head().version + 1;
      const events = await store.readStream(stream, { fromVersion: from, toVersion: from + chunk - 1 });
      if (events.isErr()) return err(events.error);
      for (const event of events.value) {
        const checked = verifier.next(event);
        if (checked.isErr()) return err(checked.error);
      }
      if (events.value.length < chunk) return ok(verifier.head());
    }
  };
  return new ResultAsync(run());
}
