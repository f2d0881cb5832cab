import { startWebhookDispatcher } from '@usher/core/runtime';
import { describe, expect, it } from 'vitest';
import { okValue } from '../support/results.js';
import { eventually, startReceiver, webhookTestService } from '../support/webhook-receiver.js';

describe('the webhooks lease', () => {
  it('is renewed while a slow redelivery runs: the other node never delivers at the same time', async () => {
    const { store, service, tenant } = webhookTestService();
    let inFlight = 0;
    let mostInFlight = 0;
    const fast = await startReceiver(null, {
      delayMs: () => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        setTimeout(() => {
          inFlight -= 1;
        }, 9);
        return 10;
      },
    });
    let slowMode: 'refuse' | 'crawl' = 'refuse';
    const slow = await startReceiver(null, { answer: () => (slowMode === 'refuse' ? 400 : 200), delayMs: () => (slowMode === 'refuse' ? 0 : 2_500) });
    const errors: unknown[] = [];
    const dispatcher = (holder: string) =>
      startWebhookDispatcher({ store, holder, leaseMs: 600, pollMs: 100, onError: (error) => errors.push(error) });
    const a = dispatcher('node-a');
    const b = dispatcher('node-b');
    try {
      await okValue(service.putEventSubscription(tenant, 'slow', { endpointUrl: slow.url }));
      await okValue(service.createRoom(tenant));
      // The slow endpoint refuses the first event: a dead letter, redelivered to it once it crawls.
      await eventually(() => slow.attempts.length === 1, 'the refused delivery');
      await eventually(() => a.delivering !== b.delivering, 'one node to hold the lease');
      const [holder, other] = a.delivering ? [a, b] : [b, a];
      await okValue(service.putEventSubscription(tenant, 'fast', { endpointUrl: fast.url }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      slowMode = 'crawl';
      expect(await okValue(service.redeliverDeadLetters(tenant, 'slow'))).toBe(1);
      let overlapped = false;
      const watch = setInterval(() => {
        if (a.delivering && b.delivering) overlapped = true;
      }, 10);
      // Events for the fast subscription while the redelivery takes four lease lengths.
      for (let n = 0; n < 30; n += 1) {
        await okValue(service.createRoom(tenant));
        await new Promise((resolve) => setTimeout(resolve, 80));
      }
      // A wait, not a timing: on a loaded CI machine the four lease lengths ran past the default 20 s once.
      await eventually(() => slow.accepted.length === 1, 'the slow redelivery', 60_000);
      clearInterval(watch);
      await eventually(() => fast.events().length >= 30, 'the fast deliveries');
      expect(overlapped).toBe(false);
      expect(holder.delivering).toBe(true);
      expect(other.delivering).toBe(false);
      expect(mostInFlight).toBe(1);
      const ids = fast.events().map((event) => event.id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await fast.close();
      await slow.close();
    }
  });
});
