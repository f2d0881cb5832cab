import { startWebhookDispatcher } from '@usher/core/runtime';
import { describe, expect, it } from 'vitest';
import { okValue } from '../support/results.js';
import { eventually, startReceiver, webhookTestService } from '../support/webhook-receiver.js';

describe('the webhook retry policy', () => {
  it('waits longer after each failure (doubling up to the cap, jittered to between half and all of it), then dead-letters the event at its time to live', async () => {
    const { store, service, tenant } = webhookTestService();
    const attemptsAt: number[] = [];
    const failing = await startReceiver(null, {
      answer: () => {
        attemptsAt.push(performance.now());
        return 503;
      },
    });
    const retry = { maxAttempts: 1_000, timeToLiveMs: 1_200, initialDelayMs: 40, maxDelayMs: 160 };
    const dispatcher = startWebhookDispatcher({ store, holder: 'node', leaseMs: 3_000, pollMs: 50, retry });
    // Each wait between attempts listens for the worker's abort; those listeners must go when the waits end.
    const leaks: Error[] = [];
    const onWarning = (warning: Error) => {
      if (warning.name === 'MaxListenersExceededWarning') leaks.push(warning);
    };
    process.on('warning', onWarning);
    try {
      await okValue(service.putEventSubscription(tenant, 'failing', { endpointUrl: failing.url }));
      await okValue(service.createRoom(tenant));
      let letters: { attempts: number; lastError: string; eventType: string }[] = [];
      await eventually(
        () => {
          void service.listDeadLetters(tenant, 'failing').then((page) => {
            if (page.isOk()) letters = [...page.value.items];
          });
          return letters.length > 0;
        },
        'the dead letter',
        10_000,
      );
      const [letter] = letters;
      // The time to live ended it, long before the attempts ran out.
      expect(letter?.eventType).toBe('Usher.Rooms.RoomCreated');
      expect(letter?.attempts).toBeGreaterThanOrEqual(5);
      expect(letter?.attempts).toBeLessThan(20);
      expect(letter?.lastError).toMatch(/answered 503/);
      const first = attemptsAt.slice(0, letter?.attempts ?? 0);
      const waits = first.slice(1).map((at, index) => at - (first[index] as number));
      waits.forEach((waited, index) => {
        const full = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** index);
        expect(waited, `wait ${index + 1}`).toBeGreaterThanOrEqual(full / 2 - 2);
        expect(waited, `wait ${index + 1}`).toBeLessThan(full + 150);
      });
      // The waits grow, then stay at the cap.
      expect(Math.max(...waits.slice(3))).toBeGreaterThanOrEqual(retry.maxDelayMs / 2 - 2);
      expect(leaks.map((warning) => warning.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await dispatcher.stop();
      await failing.close();
    }
  });
});
