import { err, ok, type Result } from 'neverthrow';
import type { NewEvent, StoredEvent } from '../envelope.js';
import type { StoreError } from '../errors.js';
import type { LogStreamKey } from '../ids.js';

/**
 * Decides what an append means when some of its event ids are stored already (`stored[i]` is what is
 * stored under `events[i].eventId`, if anything): a first append (null), a retry of the very same
 * batch on the same stream (the events stored the first time), or a conflict.
 */
export function matchStoredBatch(
  stream: LogStreamKey,
  events: readonly NewEvent[],
  stored: readonly (StoredEvent | undefined)[],
): Result<readonly StoredEvent[] | null, StoreError> {
  if (stored.every((event) => event === undefined)) return ok(null);
  const first = stored[0];
  const sameBatch =
    first !== undefined &&
    stored.every(
      (event, index) =>
        event !== undefined && event.tenantId === stream.tenantId && event.roomId === stream.roomId && event.version === first.version + index,
    );
  if (sameBatch) return ok(stored as readonly StoredEvent[]);
  const eventId = events[stored.findIndex((event) => event !== undefined)]?.eventId ?? '';
  return err({
    type: 'EventIdConflict',
    eventId,
    message: `Event id ${eventId} is already stored, but not as part of this same batch on this stream.`,
  });
}
