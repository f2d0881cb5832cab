import { type DomainEvent, isIdentityEvent } from './events.js';
import { applyEvent, type DraftState, draftOf } from './evolve.js';
import { evolveIdentity, type IdentityState } from './identity.js';
import type { RoomState } from './state.js';

/** What any stream of the log folds to: a room's state, or an identity's. Both start `absent`. */
export type StreamState = RoomState | IdentityState;

/** A room state, or nothing when `state` is an identity's: the two never share a stream. */
export function asRoomState(state: StreamState): RoomState | null {
  return state.status === 'identity' ? null : state;
}

export function asIdentityState(state: StreamState): IdentityState | null {
  return state.status === 'identity' || state.status === 'absent' ? state : null;
}

/**
 * The state after `events`, whatever the stream: room events go to the room's draft (linear in the
 * events), identity events to the identity's (small) state.
 */
export function foldStream(events: Iterable<DomainEvent>, from: StreamState = { status: 'absent' }): StreamState {
  let state: DraftState | IdentityState = from.status === 'identity' ? from : draftOf(from);
  for (const event of events) {
    if (isIdentityEvent(event)) {
      const identity = asIdentityState(state);
      if (identity !== null) state = evolveIdentity(identity, event);
    } else if (state.status !== 'identity') {
      state = applyEvent(state, event);
    }
  }
  return state;
}
