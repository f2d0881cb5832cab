import type { DomainEvent } from './events.js';
import type { EventId } from './ids.js';

/** The largest version a stream may reach: versions are 32-bit integers in the SQL stores. */
export const MAX_VERSION = 2_147_483_647;

export interface EventMeta {
  /** When the command was decided, ISO-8601 UTC. */
  readonly at: string;
  /** Who issued the command: an access key's tenant, an application, `system` for the scheduler. */
  readonly actor: string;
  readonly requestId?: string;
  /** SHA-256 of the request that caused the event, where a repeated request must be recognised (repeatable create). */
  readonly requestHash?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
}

/** An event as the service hands it to a store. */
export type NewEvent = DomainEvent & {
  readonly eventId: EventId;
  readonly schemaVersion: number;
  readonly meta: EventMeta;
};

/** Everything of a stored event that the hash covers: all but `position` and `hash` itself. */
export type ChainedEvent = NewEvent & {
  readonly tenantId: string;
  /**
   * The stream: a room's id, or for an identity's events the identity's raw id. The name is older
   * than identities, and every event's hash covers it.
   */
  readonly roomId: string;
  /** 1..n within the room's stream. */
  readonly version: number;
  /** Hex SHA-256 of the previous event in the stream; 64 zeros for version 1. */
  readonly prevHash: string;
  readonly hash: string;
};

export type StoredEvent = ChainedEvent & {
  /** Global commit order in this store, gap-free for readers. Not hashed: it differs between stores. */
  readonly position: number;
};

/*
 * The envelopes below are written out field by field rather than spread (`{ ...event, position }`):
 * on Node 20's V8 a spread followed by a key the source lacks costs ~1 µs per such key, and every
 * append builds each of them for every event. Written out, they also carry nothing a caller's object
 * had beyond the envelope.
 */

/** A domain event in its envelope, as the service hands it to a store. */
export function newEvent(event: DomainEvent, eventId: EventId, schemaVersion: number, meta: EventMeta): NewEvent {
  return { type: event.type, data: event.data, eventId, schemaVersion, meta } as NewEvent;
}

/** A new event placed in its stream, all that its hash covers. */
export function placedEvent(event: NewEvent, tenantId: string, roomId: string, version: number, prevHash: string): Omit<ChainedEvent, 'hash'> {
  return {
    type: event.type,
    data: event.data,
    eventId: event.eventId,
    schemaVersion: event.schemaVersion,
    meta: event.meta,
    tenantId,
    roomId,
    version,
    prevHash,
  } as Omit<ChainedEvent, 'hash'>;
}

/** A placed event with its hash. */
export function chainedEvent(event: Omit<ChainedEvent, 'hash'>, hash: string): ChainedEvent {
  const { type, data, eventId, schemaVersion, meta, tenantId, roomId, version, prevHash } = event;
  return { type, data, eventId, schemaVersion, meta, tenantId, roomId, version, prevHash, hash } as ChainedEvent;
}

/** A chained event at its position in a store's log. */
export function storedEvent(event: ChainedEvent, position: number): StoredEvent {
  const { type, data, eventId, schemaVersion, meta, tenantId, roomId, version, prevHash, hash } = event;
  return { type, data, eventId, schemaVersion, meta, tenantId, roomId, version, prevHash, hash, position } as StoredEvent;
}
