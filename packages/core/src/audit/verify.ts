import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { StoreError } from '../errors.js';
import { fold } from '../evolve.js';
import { type ChainBreak, streamVerifier } from '../hash-chain.js';
import type { RoomId, StreamKey, TenantId } from '../ids.js';
import type { EventStore } from '../ports.js';

export interface VerifyProgress {
  readonly phase: 'chain' | 'projections';
  readonly processed: number;
}

export interface VerifyReport {
  readonly events: number;
  readonly streams: number;
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
  options: { readonly pageSize?: number; readonly onProgress?: (progress: VerifyProgress) => void } = {},
): ResultAsync<VerifyReport, VerifyFailure | StoreError> {
  const pageSize = options.pageSize ?? 10_000;
  const verifiers = new Map<string, ReturnType<typeof streamVerifier>>();
  const streams: StreamKey[] = [];

  const chains = (afterPosition: number, processed: number): ResultAsync<number, VerifyFailure | StoreError> =>
    store.readAll({ afterPosition, limit: pageSize }).andThen((events) => {
      let last = afterPosition;
      for (const event of events) {
        if (event.position !== last + 1) {
          return errAsync<number, VerifyFailure>({
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
          streams.push({ tenantId: event.tenantId as TenantId, roomId: event.roomId as RoomId });
        }
        const checked = verifier.next(event);
        if (checked.isErr()) return errAsync<number, VerifyFailure>(checked.error);
      }
      const total = processed + events.length;
      options.onProgress?.({ phase: 'chain', processed: total });
      return events.length < pageSize ? okAsync(total) : chains(last, total);
    });

  const projections = (index: number): ResultAsync<void, VerifyFailure | StoreError> => {
    const stream = streams[index];
    if (stream === undefined) return okAsync(undefined);
    return store.readStream(stream).andThen((events) =>
      store.loadRoom(stream).andThen((loaded) => {
        const replayed = { version: events.length, state: fold(events) };
        if (JSON.stringify(loaded) !== JSON.stringify(replayed) && !sameJson(loaded, replayed)) {
          return errAsync<void, VerifyFailure>({
            type: 'ProjectionMismatch',
            tenantId: stream.tenantId,
            roomId: stream.roomId,
            version: events.length,
            message: `The stored projection of room ${stream.roomId} (tenant ${stream.tenantId}) differs from a replay of its ${events.length} events.`,
          });
        }
        options.onProgress?.({ phase: 'projections', processed: index + 1 });
        return projections(index + 1);
      }),
    );
  };

  return chains(0, 0).andThen((events) => projections(0).map(() => ({ events, streams: streams.length })));
}

/** Deep equality of JSON values regardless of key order (a store may hand back objects with keys reordered). */
function sameJson(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left).filter((key) => (left as Record<string, unknown>)[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => (right as Record<string, unknown>)[key] !== undefined);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) => sameJson((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]));
}
