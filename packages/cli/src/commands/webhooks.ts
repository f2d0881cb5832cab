import { createRoomService, type Page, parseTenantId, type TenantId, type UsherError } from '@usher/core';
import { randomIds, systemClock, validateEndpoint } from '@usher/core/runtime';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ResultAsync } from 'neverthrow';
import { DEFAULT_TENANT } from '../serve.js';
import { type StoreChoice, withStore, withStoreOptions } from '../stores.js';

interface TenantChoice extends StoreChoice {
  readonly tenant: string;
  readonly json?: boolean;
}

interface AddFlags extends TenantChoice {
  readonly type?: string[];
  readonly deliverySchema: 'EventGridSchema' | 'CloudEventSchemaV1_0';
  readonly secret?: string;
}

function tenantOf(choice: TenantChoice): TenantId {
  const parsed = parseTenantId(choice.tenant);
  if (parsed.isErr()) throw new InvalidArgumentError(parsed.error.message);
  return parsed.value;
}

/** The store flags, a tenant (the one `usher serve` serves by default) and `--json`. */
function tenantCommand(command: Command): Command {
  return withStoreOptions(command)
    .addOption(new Option('--tenant <id>', 'the tenant whose webhooks these are').default(DEFAULT_TENANT))
    .addOption(new Option('--json', 'print JSON, for scripts'));
}

/** Every page of a listing, in order. */
async function everyPage<T>(list: (pageToken: string | undefined) => ResultAsync<Page<T>, UsherError>): Promise<T[] | UsherError> {
  const items: T[] = [];
  for (let token: string | undefined; ; ) {
    const page = await list(token);
    if (page.isErr()) return page.error;
    items.push(...page.value.items);
    if (page.value.nextPageToken === null) return items;
    token = page.value.nextPageToken;
  }
}

const failed = (error: UsherError) => {
  console.error(error.message);
  return 1;
};

/** `usher webhooks list|add|remove|dead-letters|redeliver`: a tenant's event subscriptions, on the store the servers share. */
export function addWebhooksCommands(program: Command): void {
  const webhooks = program.command('webhooks').description("A tenant's webhooks: where its server events are delivered");
  const service = (store: Parameters<Parameters<typeof withStore>[1]>[0]) =>
    createRoomService({ store, clock: systemClock, ids: randomIds(), webhooks: { validate: (subscription) => validateEndpoint(subscription) } });

  tenantCommand(webhooks.command('list').description('List the subscriptions, by name (secrets are never shown)')).action((choice: TenantChoice) =>
    withStore(choice, async (store) => {
      const listed = await everyPage((pageToken) => service(store).listEventSubscriptions(tenantOf(choice), { pageToken }));
      if (!Array.isArray(listed)) return failed(listed);
      const shown = listed.map(({ secret, ...rest }) => ({ ...rest, signed: secret !== null }));
      if (choice.json === true) console.log(JSON.stringify(shown, null, 2));
      else if (shown.length === 0) console.log('no subscriptions');
      else
        for (const item of shown)
          console.log(
            `${item.name}  ${item.endpointUrl}  ${item.eventDeliverySchema}  ${item.includedEventTypes?.join(',') ?? 'all types'}${item.signed ? '  signed' : ''}`,
          );
      return 0;
    }),
  );

  tenantCommand(
    webhooks
      .command('add')
      .description('Create or replace a subscription; the endpoint must pass the validation handshake first')
      .argument('<name>', '3 to 64 letters, digits and hyphens')
      .argument('<endpoint-url>', 'http or https')
      .addOption(new Option('--type <event-type...>', 'deliver only these event types (every type by default)'))
      .addOption(
        new Option('--delivery-schema <schema>', 'how events are wrapped')
          .choices(['EventGridSchema', 'CloudEventSchemaV1_0'])
          .default('EventGridSchema'),
      )
      .addOption(new Option('--secret <whsec>', 'Standard Webhooks secret to sign deliveries with (whsec_…)').env('USHER_WEBHOOK_SECRET')),
  ).action((name: string, endpointUrl: string, flags: AddFlags) =>
    withStore(flags, async (store) => {
      const put = await service(store).putEventSubscription(tenantOf(flags), name, {
        endpointUrl,
        includedEventTypes: flags.type ?? null,
        eventDeliverySchema: flags.deliverySchema,
        secret: flags.secret ?? null,
      });
      if (put.isErr()) return failed(put.error);
      console.log(`${put.value.created ? 'created' : 'replaced'} subscription ${name}: ${put.value.subscription.endpointUrl}`);
      return 0;
    }),
  );

  tenantCommand(webhooks.command('remove').description('Remove a subscription and its dead letters').argument('<name>')).action(
    (name: string, choice: TenantChoice) =>
      withStore(choice, async (store) => {
        const removed = await service(store).deleteEventSubscription(tenantOf(choice), name);
        if (removed.isErr()) return failed(removed.error);
        console.log(removed.value ? `removed subscription ${name}` : `there was no subscription ${name}`);
        return 0;
      }),
  );

  tenantCommand(
    webhooks.command('dead-letters').description('List the events a subscription gave up delivering, in log order').argument('<name>'),
  ).action((name: string, choice: TenantChoice) =>
    withStore(choice, async (store) => {
      const listed = await everyPage((pageToken) => service(store).listDeadLetters(tenantOf(choice), name, { pageToken }));
      if (!Array.isArray(listed)) return failed(listed);
      if (choice.json === true) console.log(JSON.stringify(listed, null, 2));
      else if (listed.length === 0) console.log(`no dead letters for ${name}`);
      else
        for (const letter of listed)
          console.log(
            `${letter.position}  ${letter.eventId}  ${letter.eventType}  ${letter.attempts} attempts  ${letter.lastError}${letter.queued ? '  (redelivery queued)' : ''}`,
          );
      return 0;
    }),
  );

  tenantCommand(
    webhooks
      .command('redeliver')
      .description('Queue every dead letter of a subscription for one more delivery by the node that delivers')
      .argument('<name>'),
  ).action((name: string, choice: TenantChoice) =>
    withStore(choice, async (store) => {
      const queued = await service(store).redeliverDeadLetters(tenantOf(choice), name);
      if (queued.isErr()) return failed(queued.error);
      console.log(`queued ${queued.value} dead letter${queued.value === 1 ? '' : 's'} of ${name} for redelivery`);
      return 0;
    }),
  );
}
