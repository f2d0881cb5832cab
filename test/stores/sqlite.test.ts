import { sqliteFactory } from '../support/stores.js';
import { eventStoreContract } from './contract.js';
import { eventSubscriptionsContract } from './event-subscriptions.js';

eventStoreContract(sqliteFactory());
eventSubscriptionsContract(sqliteFactory());
