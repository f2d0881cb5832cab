import type { CallExpiryRound, RoomService } from '../service.js';

export interface CallExpiryOptions {
  /** Names this node in the lease (e.g. host and process id); unique per node. */
  readonly holder: string;
  /** How long a round's lease lasts; a node that dies gives way to another after at most this long (default 10 s). */
  readonly leaseMs?: number;
  /** The longest wait between rounds, so that a changed window or another node's lapse is noticed (default 1 s). */
  readonly pollMs?: number;
  /** Told of each round's failure; the schedule goes on. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Ends calls at their rooms' `validUntil` (rooms with the `endCall` expiry policy) for as long as it
 * runs: a round at start catches up on what was missed while no node ran, then one round per
 * `pollMs`, or sooner when a call is due sooner. One node of a store holds the lease at a time; the
 * others wait for it to lapse.
 */
export function startCallExpiry(service: Pick<RoomService, 'expireCalls' | 'releaseCallExpiry'>, options: CallExpiryOptions) {
  const leaseMs = options.leaseMs ?? 10_000;
  const pollMs = options.pollMs ?? 1_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const delayAfter = (round: CallExpiryRound | null): number => {
    if (round?.next === null || round?.next === undefined) return pollMs;
    return Math.min(pollMs, Math.max(10, Date.parse(round.next) - Date.now() + 5));
  };

  const tick = () => {
    running = (async () => {
      const round = await service.expireCalls({ holder: options.holder, leaseMs });
      if (round.isErr()) options.onError?.(round.error);
      if (!stopped) timer = setTimeout(tick, delayAfter(round.isOk() ? round.value : null));
    })();
  };
  tick();

  return {
    /** Stops the rounds, waits for one under way, and hands the lease back so another node takes over at once. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
      await service.releaseCallExpiry(options.holder);
    },
  };
}
