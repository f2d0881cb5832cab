import { type DecideContext, decide, fold, type Limits, type RoomCommand, type RoomError, type RoomEvent, type RoomState } from '@usher/core';
import { expect } from 'vitest';
import { T0 } from './fixtures.js';

/**
 * Given/when/then over the decider, as a fold: the given events build the state, the command is
 * decided on it, and the outcome is compared with the expected events or error.
 */
export function given(history: readonly RoomEvent[] = []) {
  const state: RoomState = fold(history);
  return {
    when(command: RoomCommand, options: { now?: Date; limits?: Limits } = {}) {
      const ctx: DecideContext = { now: options.now ?? T0, actor: 'test', limits: options.limits };
      const decision = decide(command, state, ctx);
      return {
        thenEmits(expected: readonly RoomEvent[]) {
          expect(decision.isOk() ? decision.value : decision.error).toEqual(expected);
          return fold(expected, state);
        },
        thenNothing() {
          expect(decision.isOk() ? decision.value : decision.error).toEqual([]);
        },
        thenFails<T extends RoomError['type']>(type: T, fields: Partial<Extract<RoomError, { type: T }>> = {}) {
          expect(decision.isErr() ? decision.error : decision.value).toMatchObject({ type, ...fields });
          return decision.isErr() ? decision.error : undefined;
        },
        events(): RoomEvent[] {
          return decision._unsafeUnwrap();
        },
      };
    },
  };
}
