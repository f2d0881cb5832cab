import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { EventId, RoomId } from '../ids.js';
import type { IdGenerator } from '../ports.js';

/**
 * ULID event ids (monotonic within a process, so ids sort in creation order) and 17-digit room ids
 * starting with 99, the shape ACS hands out.
 */
export function randomIds(): IdGenerator {
  const ulid = monotonicFactory();
  return {
    eventId: () => ulid() as EventId,
    roomId: () => `99${(randomBytes(8).readBigUInt64BE() % 10n ** 15n).toString().padStart(15, '0')}` as RoomId,
  };
}
