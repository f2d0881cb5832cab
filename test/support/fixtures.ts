import {
  type Clock,
  type EventId,
  type IdGenerator,
  type ParticipantId,
  parseParticipantId,
  parseRoomId,
  parseTenantId,
  type RoomId,
  type StreamKey,
  type TenantId,
} from '@usher/core';

export const T0 = new Date('2026-01-05T09:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const at = (offsetMs: number): Date => new Date(T0.getTime() + offsetMs);

export function participant(name: string | number): ParticipantId {
  return parseParticipantId(`8:acs:resource_${name}`)._unsafeUnwrap();
}

export function tenant(name: string): TenantId {
  return parseTenantId(name)._unsafeUnwrap();
}

export function roomId(n: number): RoomId {
  return parseRoomId(`99${String(n).padStart(15, '0')}`)._unsafeUnwrap();
}

export function stream(tenantName: string, n: number): StreamKey {
  return { tenantId: tenant(tenantName), roomId: roomId(n) };
}

/** A clock the test moves by hand. */
export function manualClock(start: Date = T0) {
  let now = start.getTime();
  const clock: Clock & { set(date: Date): void; advance(ms: number): void } = {
    now: () => new Date(now),
    set: (date) => {
      now = date.getTime();
    },
    advance: (ms) => {
      now += ms;
    },
  };
  return clock;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(value: bigint, length: number): string {
  let text = '';
  let rest = value;
  for (let index = 0; index < length; index += 1) {
    text = CROCKFORD[Number(rest % 32n)] + text;
    rest /= 32n;
  }
  return text;
}

/** Deterministic ids: ULIDs from a counter under a per-generator prefix, room ids from another counter. */
export function sequentialIds(prefix = 0): IdGenerator {
  let events = 0n;
  let rooms = 0;
  let guids = 0;
  return {
    guid: () => {
      guids += 1;
      return `${String(prefix).padStart(8, '0')}-0000-4000-8000-${String(guids).padStart(12, '0')}`;
    },
    eventId: () => {
      events += 1n;
      return `${base32(BigInt(prefix), 10)}${base32(events, 16)}` as EventId;
    },
    roomId: () => {
      rooms += 1;
      return roomId(prefix * 1_000_000 + rooms);
    },
  };
}
