import type { StoredEvent } from '../envelope.js';
import type { DeadLetter, EventStore, EventSubscription } from '../ports.js';
import { serverEventFeed } from '../server-event-feed.js';
import type { ServerEvent } from '../server-events.js';
import { type LogConsumer, type LogProgress, startLogConsumer } from './log-consumer.js';
import { type DeliveryOutcome, deliverOnce } from './webhook-delivery.js';

/** The lease that makes one node of a store the one that delivers webhooks. */
export const WEBHOOKS_LEASE = 'webhooks';

export interface WebhookRetryPolicy {
  /** Attempts before an event is dead-lettered (default 30, as Event Grid). */
  readonly maxAttempts: number;
  /** How long after its first attempt an event is still tried (default 1440 minutes, as Event Grid). */
  readonly timeToLiveMs: number;
  /** The wait after the first failure, doubling after each one up to `maxDelayMs` (defaults 10 s and 1 h); each wait is jittered between half and all of it. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = {
  maxAttempts: 30,
  timeToLiveMs: 1440 * 60_000,
  initialDelayMs: 10_000,
  maxDelayMs: 60 * 60_000,
};

export interface WebhookDispatcherOptions {
  readonly store: Pick<EventStore, 'readAll' | 'readStream' | 'checkpoints' | 'headPosition' | 'leases' | 'eventSubscriptions'>;
  /** Names this node in the lease; unique per node. */
  readonly holder: string;
  /** How long a hold on the lease lasts: a node that dies gives way after at most this long (default 10 s). */
  readonly leaseMs?: number;
  /** How often subscriptions, redelivery requests and the lease are looked at (default 1 s, and at least three times per lease). */
  readonly pollMs?: number;
  readonly retry?: Partial<WebhookRetryPolicy>;
  /** How long an endpoint may take to answer one delivery (default 30 s). */
  readonly timeoutMs?: number;
  /** Told of what goes wrong (an endpoint's failures included); delivery goes on. */
  readonly onError?: (error: unknown) => void;
  /** Told of each attempt's outcome: for logs and tests. */
  readonly onAttempt?: (attempt: { subscription: string; tenantId: string; eventId: string; attempt: number; outcome: DeliveryOutcome }) => void;
}

class Stopped extends Error {}

const keyOf = (subscription: Pick<EventSubscription, 'tenantId' | 'name'>) => `${subscription.tenantId}/${subscription.name}`;

/** The durable checkpoint of one subscription's delivery. */
export const webhookCheckpoint = (subscription: Pick<EventSubscription, 'tenantId' | 'name'>) => `webhooks/${keyOf(subscription)}`;

/**
 * Delivers every subscription's server events from the log, at least once and in log order (so in
 * order per room): one subscription's slow or failing endpoint holds up only that subscription. Of the
 * nodes of a store, the one holding the `webhooks` lease delivers; when it dies another takes over
 * within the lease's length, from the checkpoints.
 */
export function startWebhookDispatcher(options: WebhookDispatcherOptions) {
  const { store } = options;
  const leaseMs = options.leaseMs ?? 10_000;
  const pollMs = options.pollMs ?? 1_000;
  const retry: WebhookRetryPolicy = { ...DEFAULT_WEBHOOK_RETRY, ...options.retry };
  const workers = new Map<string, { subscription: EventSubscription; consumer: LogConsumer; abort: AbortController }>();
  let stopped = false;
  let holding = false;
  let leaseUntil = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let redelivery: { readonly abort: AbortController; done: Promise<void> } | null = null;
  // The lease is renewed at least three times in its length, so that one late round does not lose it.
  const renewEveryMs = Math.max(10, Math.min(pollMs, leaseMs / 3));

  const report = (error: unknown) => options.onError?.(error);

  function wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Stopped());
      // The listener goes when the wait ends: a worker's signal outlives all of its retries.
      const stop = () => {
        clearTimeout(done);
        reject(new Stopped());
      };
      const done = setTimeout(() => {
        signal.removeEventListener('abort', stop);
        resolve();
      }, ms);
      signal.addEventListener('abort', stop, { once: true });
    });
  }

  function delayAfter(failures: number): number {
    const full = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** Math.min(30, failures - 1));
    return full / 2 + Math.random() * (full / 2);
  }

  function deadLetter(subscription: EventSubscription, event: ServerEvent, position: number, attempts: number, lastError: string): DeadLetter {
    return {
      tenantId: subscription.tenantId,
      subscription: subscription.name,
      eventId: event.id,
      position,
      eventType: event.eventType,
      event: event as unknown as Readonly<Record<string, unknown>>,
      attempts,
      lastError,
      deadLetteredAt: new Date().toISOString(),
      queued: false,
    };
  }

  /** Tries until delivered, refused, out of attempts or out of time; then the event is done with (delivered or dead-lettered). */
  async function deliver(worker: { subscription: EventSubscription; abort: AbortController }, event: ServerEvent, position: number) {
    const firstAt = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      if (worker.abort.signal.aborted) throw new Stopped();
      const { subscription } = worker;
      const outcome = await deliverOnce(subscription, event, attempt, new Date(), { timeoutMs: options.timeoutMs, signal: worker.abort.signal });
      if (worker.abort.signal.aborted) throw new Stopped();
      options.onAttempt?.({ subscription: subscription.name, tenantId: subscription.tenantId, eventId: event.id, attempt, outcome });
      if (outcome.kind === 'delivered') return;
      const attempts = attempt + 1;
      const outOfTime = Date.now() - firstAt >= retry.timeToLiveMs;
      if (outcome.kind === 'refused' || attempts >= retry.maxAttempts || outOfTime) {
        const recorded = await store.eventSubscriptions.addDeadLetter(deadLetter(subscription, event, position, attempts, outcome.error));
        if (recorded.isErr()) throw recorded.error;
        return;
      }
      report(new Error(`Delivery of ${event.id} to ${subscription.name} failed (attempt ${attempts}): ${outcome.error}`));
      await wait(delayAfter(attempts), worker.abort.signal);
    }
  }

  function startWorker(subscription: EventSubscription) {
    const feed = serverEventFeed(store, 1_000);
    // Replaced subscriptions take their new settings here (follow), while the consumer goes on.
    const worker = { subscription, abort: new AbortController() };
    const handle = async (events: readonly StoredEvent[], progress: LogProgress) => {
      for (const event of events) {
        if (event.tenantId !== worker.subscription.tenantId) continue;
        const made = await feed.next(event);
        if (made.isErr()) throw made.error;
        const server = made.value;
        if (server === null) continue;
        const types = worker.subscription.includedEventTypes;
        if (types !== null && !types.includes(server.eventType)) continue;
        await deliver(worker, server, event.position);
        // Recorded after each delivery: a crash makes the receiver see again at most the event under way.
        await progress.handled(event.position);
      }
    };
    const consumer = startLogConsumer({
      store,
      checkpoint: webhookCheckpoint(subscription),
      startAfter: subscription.startAfter,
      handle,
      maxIdleMs: Math.min(pollMs, 1_000),
      onError: (error) => {
        if (!(error instanceof Stopped)) report(error);
      },
    });
    workers.set(keyOf(subscription), Object.assign(worker, { consumer }));
  }

  async function stopWorker(key: string) {
    const worker = workers.get(key);
    if (worker === undefined) return;
    workers.delete(key);
    worker.abort.abort();
    await worker.consumer.stop();
  }

  async function stopAll() {
    await Promise.all([...workers.keys()].map(stopWorker));
  }

  /** Starts a worker per subscription, stops those of removed (or re-created) ones, and lets replaced ones take their new settings. */
  async function follow(subscriptions: readonly EventSubscription[]) {
    const wanted = new Map(subscriptions.map((subscription) => [keyOf(subscription), subscription]));
    for (const [key, worker] of workers) {
      const now = wanted.get(key);
      if (now === undefined || now.createdAt !== worker.subscription.createdAt) await stopWorker(key);
      else worker.subscription = now;
    }
    for (const [key, subscription] of wanted) if (!workers.has(key)) startWorker(subscription);
  }

  /** Letters queued for redelivery, one attempt each; abandoned when the lease is lost. */
  async function redeliver(subscriptions: readonly EventSubscription[], signal: AbortSignal) {
    const queued = await store.eventSubscriptions.queuedDeadLetters(100);
    if (queued.isErr()) throw queued.error;
    const byKey = new Map(subscriptions.map((subscription) => [keyOf(subscription), subscription]));
    for (const letter of queued.value) {
      if (signal.aborted) return;
      const subscription = byKey.get(keyOf({ tenantId: letter.tenantId, name: letter.subscription }));
      if (subscription === undefined) continue;
      const event = letter.event as unknown as ServerEvent;
      const outcome = await deliverOnce(subscription, event, letter.attempts, new Date(), { timeoutMs: options.timeoutMs, signal });
      if (signal.aborted) return;
      options.onAttempt?.({ subscription: subscription.name, tenantId: subscription.tenantId, eventId: event.id, attempt: letter.attempts, outcome });
      const settled =
        outcome.kind === 'delivered'
          ? await store.eventSubscriptions.removeDeadLetter(letter.tenantId, letter.subscription, letter.eventId)
          : await store.eventSubscriptions.addDeadLetter({
              ...letter,
              attempts: letter.attempts + 1,
              lastError: outcome.error,
              deadLetteredAt: new Date().toISOString(),
              queued: false,
            });
      if (settled.isErr()) throw settled.error;
    }
  }

  /** Whether this node's hold is still good by its own clock, with a renewal's time to spare. */
  const leaseGood = () => holding && Date.now() < leaseUntil - renewEveryMs;

  /** Stops every delivery of this node: another node may hold the lease (or soon will). */
  async function letGo() {
    holding = false;
    redelivery?.abort.abort();
    await stopAll();
  }

  async function round() {
    const now = Date.now();
    const acquired = await store.leases.acquire(WEBHOOKS_LEASE, options.holder, new Date(now).toISOString(), new Date(now + leaseMs).toISOString());
    if (acquired.isErr()) {
      report(acquired.error);
      if (holding && !leaseGood()) await letGo();
      return;
    }
    if (!acquired.value) {
      await letGo();
      return;
    }
    holding = true;
    leaseUntil = now + leaseMs;
    const subscriptions = await store.eventSubscriptions.all();
    if (subscriptions.isErr()) throw subscriptions.error;
    if (!leaseGood()) return;
    await follow(subscriptions.value);
    // Redelivery runs beside the rounds, never in them: a slow endpoint must not keep the lease from being renewed.
    if (redelivery === null) {
      const current = { abort: new AbortController(), done: Promise.resolve() };
      current.done = redeliver(subscriptions.value, current.abort.signal)
        .catch(report)
        .finally(() => {
          redelivery = null;
        });
      redelivery = current;
    }
  }

  const tick = () => {
    running = (async () => {
      try {
        await round();
      } catch (error) {
        report(error);
      }
      if (!stopped) timer = setTimeout(tick, renewEveryMs);
    })();
  };
  // Whatever a round waits for (a database that does not answer), deliveries stop before the hold could lapse.
  const watchdog = setInterval(
    () => {
      if (holding && !leaseGood()) void letGo().catch(report);
    },
    Math.max(10, renewEveryMs / 2),
  );
  tick();

  return {
    /** Whether this node holds the lease and delivers. */
    get delivering(): boolean {
      return holding;
    },
    /** Stops delivering (an attempt under way is abandoned, to be made again by whoever delivers next) and hands the lease back. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      clearInterval(watchdog);
      await running;
      const held = holding;
      await letGo();
      await redelivery?.done;
      if (held) await store.leases.release(WEBHOOKS_LEASE, options.holder);
    },
  };
}
