import type { StoredEvent } from '../envelope.js';
import type { EventStore } from '../ports.js';

export interface LogConsumerOptions {
  readonly store: Pick<EventStore, 'readAll' | 'checkpoints' | 'headPosition'>;
  /** The durable checkpoint's name: the consumer resumes after the last position it recorded there. */
  readonly checkpoint: string;
  /**
   * Handles a page of events in log order. The checkpoint moves past the page only once this resolves,
   * so every event is handled at least once; when it rejects, the same page comes again after a pause.
   */
  readonly handle: (events: readonly StoredEvent[], progress: LogProgress) => Promise<void>;
  /** Where to begin when the checkpoint has never been set (default 0: the start of the log). */
  readonly startAfter?: number;
  /** Events per page (default 100). */
  readonly batchSize?: number;
  /** The pause after finding nothing new grows from `minIdleMs` to `maxIdleMs` (defaults 10 ms, 1 s); `wake()` cuts it short. */
  readonly minIdleMs?: number;
  readonly maxIdleMs?: number;
  /** Told of each failure (reading the log, the handler, the checkpoint); the consumer goes on. */
  readonly onError?: (error: unknown) => void;
}

/** Lets a handler record how far into its page it got, so that a crash repeats less of it. */
export interface LogProgress {
  /** Records that every event of the page up to `position` is handled. */
  handled(position: number): Promise<void>;
}

export interface LogConsumer {
  /** The position of the last event handled and recorded. */
  readonly position: number;
  /** Reads again now rather than at the end of the current pause: for a process that knows it just appended. */
  wake(): void;
  /** Resolves once every event appended before the call has been handled. */
  caughtUp(): Promise<void>;
  /** Stops after the page under way; resolves when it has. */
  stop(): Promise<void>;
}

/**
 * Follows a store's log from a durable checkpoint and hands its events, in log order, to `handle`:
 * the base of webhook delivery and of embedders' own read models. Polls, backing off while idle.
 */
export function startLogConsumer(options: LogConsumerOptions): LogConsumer {
  const batchSize = options.batchSize ?? 100;
  const minIdleMs = options.minIdleMs ?? 10;
  const maxIdleMs = Math.max(minIdleMs, options.maxIdleMs ?? 1_000);
  let position = -1;
  let stopped = false;
  let idleMs = minIdleMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sleeping: (() => void) | undefined;
  const waiters: { readonly until: number; readonly resolve: () => void }[] = [];

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      sleeping = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      sleeping = undefined;
    });

  async function begin(): Promise<number> {
    const stored = await options.store.checkpoints.get(options.checkpoint);
    if (stored.isErr()) throw stored.error;
    return Math.max(stored.value ?? 0, options.startAfter ?? 0);
  }

  function settleWaiters() {
    for (let index = waiters.length - 1; index >= 0; index -= 1) {
      const waiter = waiters[index];
      if (waiter !== undefined && position >= waiter.until) {
        waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  /** One page: handled and recorded, or nothing new. Answers how many events it held. */
  async function step(): Promise<number> {
    const page = await options.store.readAll({ afterPosition: position, limit: batchSize });
    if (page.isErr()) throw page.error;
    const events = page.value;
    if (events.length === 0) return 0;
    await options.handle(events, {
      handled: async (upTo) => {
        if (upTo <= position) return;
        const recorded = await options.store.checkpoints.set(options.checkpoint, upTo);
        if (recorded.isErr()) throw recorded.error;
        position = upTo;
      },
    });
    const last = (events[events.length - 1] as StoredEvent).position;
    const recorded = await options.store.checkpoints.set(options.checkpoint, last);
    if (recorded.isErr()) throw recorded.error;
    position = last;
    return events.length;
  }

  function wake() {
    idleMs = minIdleMs;
    if (timer !== undefined) clearTimeout(timer);
    sleeping?.();
  }

  const running = (async () => {
    while (!stopped && position < 0) {
      try {
        position = await begin();
      } catch (error) {
        options.onError?.(error);
        await pause(maxIdleMs);
      }
    }
    while (!stopped) {
      let handled = 0;
      try {
        handled = await step();
      } catch (error) {
        options.onError?.(error);
        if (stopped) break;
        await pause(maxIdleMs);
        continue;
      }
      if (handled > 0) {
        idleMs = minIdleMs;
        continue;
      }
      settleWaiters();
      if (stopped) break;
      await pause(idleMs);
      idleMs = Math.min(maxIdleMs, idleMs * 2);
    }
  })();

  return {
    get position() {
      return Math.max(position, 0);
    },
    wake,
    async caughtUp() {
      const end = await options.store.headPosition();
      if (end.isErr()) throw end.error;
      const last = end.value;
      if (position >= last) return;
      await new Promise<void>((resolve) => {
        waiters.push({ until: last, resolve });
        wake();
      });
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      sleeping?.();
      await running;
      for (const waiter of waiters.splice(0)) waiter.resolve();
    },
  };
}
