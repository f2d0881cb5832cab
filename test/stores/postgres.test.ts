import { describe } from 'vitest';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { eventStoreContract } from './contract.js';
import { eventSubscriptionsContract } from './event-subscriptions.js';

const url = postgresUrl();

describe.skipIf(url === null)('PostgreSQL', () => {
  eventStoreContract(postgresFactory(url ?? ''));
  eventSubscriptionsContract(postgresFactory(url ?? ''));
});
