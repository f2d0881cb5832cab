import type { StoredEvent } from './envelope.js';
import type { StreamKey } from './ids.js';
import type { RoomState } from './state.js';

/** Who asked and on behalf of which request: recorded in every event's metadata. */
export interface CommandOptions {
  readonly actor?: string | undefined;
  readonly requestId?: string | undefined;
  readonly requestHash?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly causationId?: string | undefined;
}

export interface CommandResult {
  readonly stream: StreamKey;
  readonly state: RoomState;
  readonly version: number;
  /** The events this command appended; empty when it changed nothing. */
  readonly events: readonly StoredEvent[];
}
