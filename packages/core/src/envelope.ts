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
