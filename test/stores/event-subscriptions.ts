import type { DeadLetter, EventStore, EventSubscription, TenantId } from '@usher/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, T0, tenant } from '../support/fixtures.js';
import { errValue, okValue } from '../support/results.js';
import type { StoreFactory } from '../support/stores.js';

const contoso = tenant('contoso');
const fabrikam = tenant('fabrikam');
const later = (hours: number) => new Date(T0.getTime() + hours * HOUR).toISOString();

function subscription(tenantId: TenantId, name: string, overrides: Partial<EventSubscription> = {}): EventSubscription {
  return {
    tenantId,
    name,
    endpointUrl: `https://hooks.example.com/${tenantId}/${name}`,
    includedEventTypes: ['Microsoft.Communication.RoomCreated', 'Microsoft.Communication.RoomDeleted'],
    eventDeliverySchema: 'EventGridSchema',
    secret: 'whsec_c2VjcmV0LWtleS1vZi10aGUtdGVzdA==',
    createdAt: T0.toISOString(),
    startAfter: 10,
    ...overrides,
  };
}

function letter(tenantId: TenantId, name: string, eventId: string, position: number, overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    tenantId,
    subscription: name,
    eventId,
    position,
    eventType: 'Microsoft.Communication.RoomCreated',
    event: { id: eventId, topic: `/tenants/${tenantId}`, subject: 'rooms/99000000000000001', data: { position } },
    attempts: 5,
    lastError: 'HTTP 503 from the endpoint',
    deadLetteredAt: later(1),
    queued: false,
    ...overrides,
  };
}

/** Every page of a listing, checking each token on the way is opaque and URL-safe. */
async function allPages<T>(fetch: (pageToken: string | undefined) => Promise<{ items: readonly T[]; nextPageToken: string | null }>) {
  const pages: T[][] = [];
  let token: string | undefined;
  for (let count = 0; count < 1000; count += 1) {
    const page = await fetch(token);
    pages.push([...page.items]);
    if (page.nextPageToken === null) return pages;
    expect(page.nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    token = page.nextPageToken;
  }
  throw new Error('paging never ended');
}

const letterKeys = (letters: readonly DeadLetter[]) => letters.map((held) => `${held.tenantId}/${held.subscription}/${held.eventId}`);

/** The EventSubscriptions port (webhooks and their dead letters); every store runs exactly this suite. */
export function eventSubscriptionsContract(factory: StoreFactory): void {
  describe(`EventSubscriptions contract: ${factory.name}`, () => {
    let store: EventStore;
    let subscriptions: EventStore['eventSubscriptions'];
    beforeEach(async () => {
      store = await factory.open();
      subscriptions = store.eventSubscriptions;
    });
    afterEach(() => store.close());
    afterAll(() => factory.dispose());

    describe('subscriptions', () => {
      it('given no subscription of that name, when one is put, then it is created; when put again, then it is replaced, keeping its createdAt and startAfter and taking the rest', async () => {
        const first = subscription(contoso, 'orders');
        expect(await okValue(subscriptions.put(first))).toBe('created');
        expect(await okValue(subscriptions.get(contoso, 'orders'))).toEqual(first);

        const second = subscription(contoso, 'orders', {
          endpointUrl: 'https://elsewhere.example.com/hook',
          includedEventTypes: null,
          eventDeliverySchema: 'CloudEventSchemaV1_0',
          secret: null,
          createdAt: later(5),
          startAfter: 99,
        });
        expect(await okValue(subscriptions.put(second))).toBe('replaced');
        expect(await okValue(subscriptions.get(contoso, 'orders'))).toEqual({ ...second, createdAt: first.createdAt, startAfter: first.startAfter });
        expect(await okValue(subscriptions.all())).toEqual([{ ...second, createdAt: first.createdAt, startAfter: first.startAfter }]);
      });

      it('given no subscription of that name, when it is read or removed, then it answers null and false', async () => {
        await okValue(subscriptions.put(subscription(contoso, 'orders')));
        expect(await okValue(subscriptions.get(contoso, 'unknown'))).toBeNull();
        expect(await okValue(subscriptions.remove(contoso, 'unknown'))).toBe(false);
        expect(await okValue(subscriptions.get(contoso, 'orders'))).not.toBeNull();
      });

      it('given subscriptions and letters of two tenants under the same name, then neither tenant reads, lists, removes or sees the letters of the other', async () => {
        const ours = subscription(contoso, 'shared', { endpointUrl: 'https://contoso.example.com/hook' });
        const theirs = subscription(fabrikam, 'shared', { endpointUrl: 'https://fabrikam.example.com/hook' });
        expect(await okValue(subscriptions.put(ours))).toBe('created');
        expect(await okValue(subscriptions.put(theirs))).toBe('created');
        await okValue(subscriptions.put(subscription(fabrikam, 'only-fabrikam')));
        await okValue(subscriptions.addDeadLetter(letter(contoso, 'shared', 'evt-1', 1)));
        await okValue(subscriptions.addDeadLetter(letter(fabrikam, 'shared', 'evt-1', 1)));
        await okValue(subscriptions.addDeadLetter(letter(fabrikam, 'shared', 'evt-2', 2)));

        expect(await okValue(subscriptions.get(contoso, 'shared'))).toEqual(ours);
        expect(await okValue(subscriptions.get(contoso, 'only-fabrikam'))).toBeNull();
        expect((await okValue(subscriptions.list(contoso))).items).toEqual([ours]);
        expect(letterKeys((await okValue(subscriptions.deadLetters(contoso, 'shared'))).items)).toEqual(['contoso/shared/evt-1']);
        expect(await okValue(subscriptions.queueRedelivery(contoso, 'shared'))).toBe(1);
        expect(letterKeys(await okValue(subscriptions.queuedDeadLetters(10)))).toEqual(['contoso/shared/evt-1']);
        await okValue(subscriptions.removeDeadLetter(contoso, 'shared', 'evt-2'));
        expect(await okValue(subscriptions.remove(contoso, 'only-fabrikam'))).toBe(false);

        expect(await okValue(subscriptions.remove(contoso, 'shared'))).toBe(true);
        expect(await okValue(subscriptions.get(fabrikam, 'shared'))).toEqual(theirs);
        expect((await okValue(subscriptions.list(fabrikam))).items.map((held) => held.name)).toEqual(['only-fabrikam', 'shared']);
        expect(letterKeys((await okValue(subscriptions.deadLetters(fabrikam, 'shared'))).items)).toEqual([
          'fabrikam/shared/evt-1',
          'fabrikam/shared/evt-2',
        ]);
        expect((await okValue(subscriptions.all())).map((held) => `${held.tenantId}/${held.name}`)).toEqual([
          'fabrikam/only-fabrikam',
          'fabrikam/shared',
        ]);
      });

      it('given 7 subscriptions, when listed in pages of 3, then each is visited once, in name order (byte order), and a bad token is refused', async () => {
        const names = ['orders', 'Zulu', 'alpha', '0-first', 'billing-2', 'billing-10', 'ORDERS'];
        for (const name of names) await okValue(subscriptions.put(subscription(contoso, name)));
        await okValue(subscriptions.put(subscription(fabrikam, 'alpha')));
        const sorted = [...names].sort();
        expect(sorted).toEqual(['0-first', 'ORDERS', 'Zulu', 'alpha', 'billing-10', 'billing-2', 'orders']);

        const pages = await allPages(async (pageToken) => await okValue(subscriptions.list(contoso, { pageToken, pageSize: 3 })));
        expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
        expect(pages.flat().map((held) => held.name)).toEqual(sorted);
        expect(pages.flat()).toEqual(sorted.map((name) => subscription(contoso, name)));
        // The default page size holds them all.
        expect(await okValue(subscriptions.list(contoso))).toEqual({ items: pages.flat(), nextPageToken: null });
        expect(await okValue(subscriptions.list(tenant('nobody')))).toEqual({ items: [], nextPageToken: null });
        expect((await okValue(subscriptions.all())).map((held) => `${held.tenantId}/${held.name}`)).toEqual([
          ...sorted.map((name) => `contoso/${name}`),
          'fabrikam/alpha',
        ]);

        expect(await errValue(subscriptions.list(contoso, { pageToken: 'not a token' }))).toMatchObject({
          type: 'InvalidPageToken',
          field: 'pageToken',
        });
        expect(await errValue(subscriptions.list(contoso, { pageToken: Buffer.from('rooms:alpha').toString('base64url') }))).toMatchObject({
          type: 'InvalidPageToken',
        });
        expect(await errValue(subscriptions.list(contoso, { pageSize: 0 }))).toMatchObject({ type: 'InvalidPageSize' });
        // A token of the subscription listing is not one of the dead letter listing, nor the other way round.
        const token = (await okValue(subscriptions.list(contoso, { pageSize: 3 }))).nextPageToken ?? '';
        expect(await errValue(subscriptions.deadLetters(contoso, 'orders', { pageToken: token }))).toMatchObject({ type: 'InvalidPageToken' });
        await okValue(subscriptions.addDeadLetter(letter(contoso, 'orders', 'evt-1', 1)));
        await okValue(subscriptions.addDeadLetter(letter(contoso, 'orders', 'evt-2', 2)));
        const letterToken = (await okValue(subscriptions.deadLetters(contoso, 'orders', { pageSize: 1 }))).nextPageToken ?? '';
        expect(letterToken).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(await errValue(subscriptions.list(contoso, { pageToken: letterToken }))).toMatchObject({ type: 'InvalidPageToken' });
      });

      it('given a subscription with dead letters, when it is removed, then its letters go with it and it answers that it existed', async () => {
        await okValue(subscriptions.put(subscription(contoso, 'orders')));
        await okValue(subscriptions.put(subscription(contoso, 'billing')));
        for (const [eventId, position] of [
          ['evt-1', 1],
          ['evt-2', 2],
        ] as const) {
          await okValue(subscriptions.addDeadLetter(letter(contoso, 'orders', eventId, position, { queued: true })));
          await okValue(subscriptions.addDeadLetter(letter(contoso, 'billing', eventId, position)));
        }
        expect(await okValue(subscriptions.remove(contoso, 'orders'))).toBe(true);
        expect(await okValue(subscriptions.get(contoso, 'orders'))).toBeNull();
        expect(await okValue(subscriptions.deadLetters(contoso, 'orders'))).toEqual({ items: [], nextPageToken: null });
        expect(await okValue(subscriptions.queuedDeadLetters(10))).toEqual([]);
        expect(letterKeys((await okValue(subscriptions.deadLetters(contoso, 'billing'))).items)).toEqual([
          'contoso/billing/evt-1',
          'contoso/billing/evt-2',
        ]);
        expect(await okValue(subscriptions.remove(contoso, 'orders'))).toBe(false);
        // Put again, it starts without letters.
        expect(await okValue(subscriptions.put(subscription(contoso, 'orders')))).toBe('created');
        expect((await okValue(subscriptions.deadLetters(contoso, 'orders'))).items).toEqual([]);
      });
    });

    describe('dead letters', () => {
      it('given letters added out of order, then they list in position order, then event id, in keyset pages; a letter added again for the same event replaces the first', async () => {
        await okValue(subscriptions.put(subscription(contoso, 'orders')));
        const added = [letter(contoso, 'orders', 'evt-c', 7), letter(contoso, 'orders', 'evt-a', 3), letter(contoso, 'orders', 'evt-b', 7)];
        added.push(letter(contoso, 'orders', 'evt-A', 7), letter(contoso, 'orders', 'evt-z', 12), letter(contoso, 'orders', 'evt-y', 1));
        for (const held of added) await okValue(subscriptions.addDeadLetter(held));
        const expected = ['evt-y', 'evt-a', 'evt-A', 'evt-b', 'evt-c', 'evt-z'];

        const pages = await allPages(async (pageToken) => await okValue(subscriptions.deadLetters(contoso, 'orders', { pageToken, pageSize: 4 })));
        expect(pages.map((page) => page.length)).toEqual([4, 2]);
        expect(pages.flat().map((held) => held.eventId)).toEqual(expected);
        expect((await okValue(subscriptions.deadLetters(contoso, 'orders'))).items).toEqual(pages.flat());
        expect(await errValue(subscriptions.deadLetters(contoso, 'orders', { pageToken: 'not a token' }))).toMatchObject({
          type: 'InvalidPageToken',
        });
        expect(await errValue(subscriptions.deadLetters(contoso, 'orders', { pageSize: 1001 }))).toMatchObject({ type: 'InvalidPageSize' });

        const again = letter(contoso, 'orders', 'evt-a', 20, { attempts: 9, lastError: 'timed out', deadLetteredAt: later(3), queued: true });
        await okValue(subscriptions.addDeadLetter(again));
        const listed = (await okValue(subscriptions.deadLetters(contoso, 'orders'))).items;
        expect(listed.map((held) => held.eventId)).toEqual(['evt-y', 'evt-A', 'evt-b', 'evt-c', 'evt-z', 'evt-a']);
        expect(listed.at(-1)).toEqual(again);
      });

      it('given letters of several subscriptions and tenants, when redelivery is queued, then all of that subscription’s letters are queued and counted, and the queued ones of every tenant come in position order, at most the limit', async () => {
        await okValue(subscriptions.addDeadLetter(letter(contoso, 'orders', 'evt-3', 3)));
        await okValue(subscriptions.addDeadLetter(letter(contoso, 'orders', 'evt-1', 1, { queued: true })));
        await okValue(subscriptions.addDeadLetter(letter(contoso, 'billing', 'evt-2', 2)));
        await okValue(subscriptions.addDeadLetter(letter(fabrikam, 'orders', 'evt-2', 2)));
        await okValue(subscriptions.addDeadLetter(letter(fabrikam, 'orders', 'evt-5', 5)));
        expect(letterKeys(await okValue(subscriptions.queuedDeadLetters(10)))).toEqual(['contoso/orders/evt-1']);

        expect(await okValue(subscriptions.queueRedelivery(contoso, 'orders'))).toBe(2);
        expect(await okValue(subscriptions.queueRedelivery(fabrikam, 'orders'))).toBe(2);
        expect(await okValue(subscriptions.queueRedelivery(contoso, 'unknown'))).toBe(0);
        expect((await okValue(subscriptions.deadLetters(contoso, 'orders'))).items.every((held) => held.queued)).toBe(true);
        expect((await okValue(subscriptions.deadLetters(contoso, 'billing'))).items.map((held) => held.queued)).toEqual([false]);

        const queued = await okValue(subscriptions.queuedDeadLetters(10));
        expect(letterKeys(queued)).toEqual(['contoso/orders/evt-1', 'fabrikam/orders/evt-2', 'contoso/orders/evt-3', 'fabrikam/orders/evt-5']);
        expect(queued[1]).toEqual(letter(fabrikam, 'orders', 'evt-2', 2, { queued: true }));
        expect(letterKeys(await okValue(subscriptions.queuedDeadLetters(2)))).toEqual(['contoso/orders/evt-1', 'fabrikam/orders/evt-2']);
        expect(await okValue(subscriptions.queuedDeadLetters(0))).toEqual([]);
        // One event dead for two subscriptions: both letters are queued, in a stable order.
        await okValue(subscriptions.addDeadLetter(letter(contoso, 'billing', 'evt-2', 2, { queued: true })));
        expect(letterKeys(await okValue(subscriptions.queuedDeadLetters(3)))).toEqual([
          'contoso/orders/evt-1',
          'contoso/billing/evt-2',
          'fabrikam/orders/evt-2',
        ]);

        await okValue(subscriptions.removeDeadLetter(fabrikam, 'orders', 'evt-2'));
        await okValue(subscriptions.removeDeadLetter(fabrikam, 'orders', 'never-there'));
        expect(letterKeys((await okValue(subscriptions.deadLetters(fabrikam, 'orders'))).items)).toEqual(['fabrikam/orders/evt-5']);
        expect(letterKeys(await okValue(subscriptions.queuedDeadLetters(10)))).toEqual([
          'contoso/orders/evt-1',
          'contoso/billing/evt-2',
          'contoso/orders/evt-3',
          'fabrikam/orders/evt-5',
        ]);
      });
    });

    it('given every kind of value, when stored and read back, then each comes back exactly: null and listed event types, null and given secrets, the event as it was', async () => {
      const kept = [
        subscription(contoso, 'all-types', { includedEventTypes: null, secret: null, eventDeliverySchema: 'CloudEventSchemaV1_0', startAfter: 0 }),
        subscription(contoso, 'no-types', { includedEventTypes: [], startAfter: 2 ** 40 }),
        subscription(contoso, 'some-types', { includedEventTypes: ['B.Second', 'A.First', 'B.Second'], secret: `whsec_${'A'.repeat(44)}` }),
      ];
      for (const held of kept) await okValue(subscriptions.put(held));
      for (const held of kept) expect(await okValue(subscriptions.get(contoso, held.name))).toEqual(held);
      expect((await okValue(subscriptions.list(contoso))).items).toEqual(kept);

      const event = {
        id: 'f5e3c1a0-0000-4000-8000-000000000001',
        topic: '/tenants/contoso',
        subject: 'rooms/99000000000000001',
        data: { roomId: '99000000000000001', participants: [{ rawId: '8:acs:x', role: 'Presenter' }], empty: {}, none: null, ratio: 0.5 },
        eventType: 'Microsoft.Communication.RoomCreated',
        dataVersion: '1.0',
        metadataVersion: '1',
        eventTime: T0.toISOString(),
        text: 'quotes " and \\ and ünïcödé ✓',
      };
      const stored = letter(contoso, 'all-types', event.id, 2 ** 40, { event, attempts: 0, lastError: '', queued: true });
      await okValue(subscriptions.addDeadLetter(stored));
      const [listed] = (await okValue(subscriptions.deadLetters(contoso, 'all-types'))).items;
      expect(listed).toEqual(stored);
      // The event is redelivered as it was first sent: its keys keep their order.
      expect(Object.keys(listed?.event ?? {})).toEqual(Object.keys(event));
      expect(JSON.stringify(listed?.event)).toBe(JSON.stringify(event));
      expect(await okValue(subscriptions.queuedDeadLetters(1))).toEqual([stored]);
    });
  });
}
