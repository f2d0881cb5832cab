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
    // The lease leaves a node nearly two seconds of a stalled event loop (a loaded CI machine) before it must let go;
    // the redelivery takes two and a half lease lengths, so it finishes only if the lease is renewed while it runs.
    const leaseMs = 2_000;
    let slowMode: 'refuse' | 'crawl' = 'refuse';
    const slow = await startReceiver(null, {
      answer: () => (slowMode === 'refuse' ? 400 : 200),
      delayMs: () => (slowMode === 'refuse' ? 0 : 2.5 * leaseMs),
    });
    const errors: unknown[] = [];
    const dispatcher = (holder: string) => startWebhookDispatcher({ store, holder, leaseMs, pollMs: 100, onError: (error) => errors.push(error) });
    const a = dispatcher('node-a');
    const b = dispatcher('node-b');
    try {
      await okValue(service.putEventSubscription(tenant, 'slow', { endpointUrl: slow.url }));
      await okValue(service.createRoom(tenant));
      // The slow endpoint refuses the first event: a dead letter, redelivered to it once it crawls.
      await eventually(() => slow.attempts.length === 1, 'the refused delivery');
      const refusedId = slow.attempts[0]?.events[0]?.id;
      expect(refusedId).toEqual(expect.any(String));
      const sendsOfRefused = (deliveries: typeof slow.attempts) =>
        deliveries.filter((delivery) => delivery.events.some((event) => event.id === refusedId)).length;
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
      // Events for the fast subscription for as long as the redelivery runs (it takes 2.5 lease lengths; 20 s is a stall).
      let created = 0;
      const giveUpAt = Date.now() + 20_000;
      while ((created < 30 || sendsOfRefused(slow.accepted) === 0) && Date.now() < giveUpAt) {
        await okValue(service.createRoom(tenant));
        created += 1;
        await new Promise((resolve) => setTimeout(resolve, 80));
      }
      clearInterval(watch);
      expect(sendsOfRefused(slow.accepted), 'the redelivery accepted within 20 s').toBe(1);
      // One refusal and one redelivery: a node that lost the lease would have abandoned it and another sent it again.
      expect(sendsOfRefused(slow.attempts)).toBe(2);
      await eventually(() => fast.events().length >= created, 'the fast deliveries');
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
