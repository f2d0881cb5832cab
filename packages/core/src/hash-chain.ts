import { err, ok, type Result } from 'neverthrow';
import { canonicalJson } from './canonical-json.js';
import { type ChainedEvent, chainedEvent, type NewEvent, placedEvent } from './envelope.js';
import type { LogStreamKey, StreamKey } from './ids.js';
import { sha256 } from './sha256.js';

export const GENESIS_HASH = '0'.repeat(64);

export function hashEvent(event: Omit<ChainedEvent, 'hash'>): string {
  const { tenantId, roomId, version, eventId, type, schemaVersion, data, meta, prevHash } = event;
  // Keys in canonical order, so that canonicalJson can write the body as it is.
  const body = canonicalJson({ data, eventId, meta, roomId, schemaVersion, tenantId, type, version });
  return sha256(prevHash + body, 'hex');
}

/** Links new events onto a stream whose last event has `prevHash` and version `fromVersion - 1`. */
export function chain(stream: LogStreamKey, prevHash: string, fromVersion: number, events: readonly NewEvent[]): ChainedEvent[] {
  const chained: ChainedEvent[] = [];
  let previous = prevHash;
  events.forEach((event, index) => {
    const unhashed = placedEvent(event, stream.tenantId, stream.roomId, fromVersion + index, previous);
    const hash = hashEvent(unhashed);
    chained.push(chainedEvent(unhashed, hash));
    previous = hash;
  });
  return chained;
}

export interface ChainBreak {
  readonly type: 'ChainBroken';
  readonly reason: 'wrongStream' | 'versionGap' | 'prevHashMismatch' | 'hashMismatch';
  readonly tenantId: string;
  readonly roomId: string;
  readonly version: number;
  readonly eventId: string;
  readonly message: string;
}

/**
 * Checks one stream event by event, so that a log of any length is verified in constant memory:
 * feed it the events in version order, then `finish()`.
 */
export function streamVerifier(stream?: StreamKey) {
  let expectedVersion = 1;
  let previous = GENESIS_HASH;
  let key = stream;
  return {
    next(event: ChainedEvent): Result<void, ChainBreak> {
      key ??= { tenantId: event.tenantId, roomId: event.roomId } as StreamKey;
      const broken = (reason: ChainBreak['reason'], detail: string): Result<void, ChainBreak> =>
        err({
          type: 'ChainBroken',
          reason,
          tenantId: event.tenantId,
          roomId: event.roomId,
          version: event.version,
          eventId: event.eventId,
          message: `Event ${event.eventId} (tenant ${event.tenantId}, room ${event.roomId}, version ${event.version}): ${detail}`,
        });
      if (event.tenantId !== key.tenantId || event.roomId !== key.roomId)
        return broken('wrongStream', `belongs to another stream than ${key.tenantId}/${key.roomId}.`);
      if (event.version !== expectedVersion) return broken('versionGap', `expected version ${expectedVersion}.`);
      if (event.prevHash !== previous) return broken('prevHashMismatch', 'prevHash does not match the hash of the previous event.');
      if (hashEvent(event) !== event.hash) return broken('hashMismatch', 'the content does not match its hash.');
      expectedVersion += 1;
      previous = event.hash;
      return ok(undefined);
    },
    /** The version and hash the stream ends with. */
    head(): { version: number; hash: string } {
      return { version: expectedVersion - 1, hash: previous };
    },
  };
}

export function verifyStream(events: Iterable<ChainedEvent>): Result<{ version: number; hash: string }, ChainBreak> {
  const verifier = streamVerifier();
  for (const event of events) {
    const checked = verifier.next(event);
    if (checked.isErr()) return err(checked.error);
  }
  return ok(verifier.head());
}
