import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { CommandOptions } from './command-result.js';
import { type NewEvent, newEvent, type StoredEvent } from './envelope.js';
import type { UsherError } from './errors.js';
import { type DomainEvent, EVENT_SCHEMA_VERSION } from './events.js';
import type { ExpectedVersion } from './expected-version.js';
import type { LogStreamKey } from './ids.js';
import type { Clock, EventStore, IdGenerator, RetryPolicy } from './ports.js';
import type { StreamState } from './stream-state.js';

/** What a decider made of a command: its events and the state they lead to (folded as it decided). */
export interface StreamTransition {
  readonly events: readonly DomainEvent[];
  readonly state: StreamState;
}

export interface StreamCommandResult {
  readonly state: StreamState;
  readonly version: number;
  /** The events the command appended; empty when it changed nothing. */
  readonly events: readonly StoredEvent[];
}

/** Decides again at once, up to `times` times: enough within one process, where commands on a stream already queue. */
export function retryImmediately(times: number): RetryPolicy {
  return {
    begin: () => {
      let left = times;
      return { next: () => (left-- > 0 ? 0 : null) };
    },
  };
}

export type StreamDecider = (state: StreamState, now: Date) => Result<StreamTransition, UsherError>;

/**
 * Runs commands on any stream of the log, a room's or an identity's: load the folded state, decide at
 * one clock reading, append with the loaded version expected, and on a concurrent write decide again
 * when the retry policy says. Commands on one stream run one after another in this process: run
 * together, all but one would only conflict and decide again; writers in other processes still can.
 */
export function streamCommands(deps: { readonly store: EventStore; readonly clock: Clock; readonly ids: IdGenerator; readonly retry: RetryPolicy }) {
  const { store, clock, ids } = deps;

  function toNewEvents(events: readonly DomainEvent[], at: Date, meta: CommandOptions): NewEvent[] {
    // Keys in canonical order, so that the event is hashed without sorting them.
    const envelopeMeta = {
      actor: meta.actor ?? 'system',
      at: at.toISOString(),
      ...(meta.causationId === undefined ? {} : { causationId: meta.causationId }),
      ...(meta.correlationId === undefined ? {} : { correlationId: meta.correlationId }),
      ...(meta.requestHash === undefined ? {} : { requestHash: meta.requestHash }),
      ...(meta.requestId === undefined ? {} : { requestId: meta.requestId }),
    };
    return events.map((event) => newEvent(event, ids.eventId(), EVENT_SCHEMA_VERSION[event.type], envelopeMeta));
  }

  type Outcome = Result<StreamCommandResult, UsherError>;

  /**
   * One command is a load, a decision and an append, and it is written with plain promise callbacks
   * and results rather than ResultAsync's combinators: each of those costs a few microseconds (an
   * async function per step), and a command runs them on every request.
   */
  function attempt(
    stream: LogStreamKey,
    decider: StreamDecider,
    meta: CommandOptions,
    schedule: { next(): number | null },
    retried = false,
  ): PromiseLike<Outcome> {
    return store.loadStream(stream, { checkedByAppend: !retried }).then((loadedOrError): Outcome | PromiseLike<Outcome> => {
      if (loadedOrError.isErr()) return err(loadedOrError.error);
      const loaded = loadedOrError.value;
      const state: StreamState = loaded?.state ?? { status: 'absent' };
      const version = loaded?.version ?? 0;
      const now = clock.now();
      const decided = decider(state, now);
      if (decided.isErr()) return err(decided.error);
      const transition = decided.value;
      if (transition.events.length === 0) return ok({ state, version, events: [] });
      const expected: ExpectedVersion = version === 0 ? 'noStream' : version;
      // The decider's state travels with the events, so that neither the store nor this service folds them again.
      return store.append(stream, toNewEvents(transition.events, now, meta), expected, transition.state).then((appended) => {
        if (appended.isOk()) return ok({ state: transition.state, version: appended.value.version, events: appended.value.events });
        const error = appended.error;
        const wait = error.type === 'Concurrency' ? schedule.next() : null;
        if (wait === null) return err(error);
        const later = wait > 0 ? new Promise<void>((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
        return later.then(() => attempt(stream, decider, meta, schedule, true));
      });
    });
  }

  const queues = new Map<string, Promise<void>>();
  function oneAtATime<T>(stream: LogStreamKey, work: () => PromiseLike<Result<T, UsherError>>): ResultAsync<T, UsherError> {
    const key = `${stream.tenantId}\u0000${stream.roomId}`;
    const done = (queues.get(key) ?? Promise.resolve()).then(() => work());
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return new ResultAsync(done);
  }

  return {
    run: (stream: LogStreamKey, decider: StreamDecider, meta: CommandOptions = {}): ResultAsync<StreamCommandResult, UsherError> =>
      oneAtATime(stream, () => attempt(stream, decider, meta, deps.retry.begin())),
  };
}
