import { sqliteFactory } from '../support/stores.js';
import { eventStoreContract } from './contract.js';

eventStoreContract(sqliteFactory());
