import { randomBytes, randomUUID } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { EventId, RoomId } from '../ids.js';
import type { IdGenerator } from '../ports.js';

const POOL_SIZE = 4096;

/**
 * A cryptographic PRNG that draws its bytes from the OS in blocks: ulid asks for one random number per
 * character, and one system call per character was a measurable part of every append.
 */
function pooledRandom(): () => number {
  let pool = randomBytes(POOL_SIZE);
  let offset = 0;
  return () => {
    if (offset + 4 > POOL_SIZE) {
      pool = randomBytes(POOL_SIZE);
      offset = 0;
    }
    const value = pool.readUInt32BE(offset) / 0x1_0000_0000;
    offset += 4;
    return value;
  };
}

/**
 * ULID event ids (monotonic within a process, so ids sort in creation order) and 17-digit room ids
 * starting with 99, the shape ACS hands out.
 */
export function randomIds(): IdGenerator {
  const ulid = monotonicFactory(pooledRandom());
  return {
    eventId: () => ulid() as EventId,
    guid: () => randomUUID(),
    roomId: () => `99${(randomBytes(8).readBigUInt64BE() % 10n ** 15n).toString().padStart(15, '0')}` as RoomId,
  };
}
