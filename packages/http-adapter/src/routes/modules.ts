import type { RouteModule } from '../context.js';
import { audit } from './audit.js';
import { call } from './call.js';
import { eventSubscriptions } from './event-subscriptions.js';
import { identities } from './identities.js';
import { participants } from './participants.js';
import { rooms } from './rooms.js';

/** Every resource of the API, in the order the OpenAPI document lists them. */
export const ROUTE_MODULES: readonly RouteModule[] = [rooms, audit, participants, call, identities, eventSubscriptions];
