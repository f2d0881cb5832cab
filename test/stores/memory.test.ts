import { memoryFactory } from '../support/stores.js';
import { eventStoreContract } from './contract.js';

eventStoreContract(memoryFactory());
