import type { DeadLetter, EventSubscription } from '@usher/core';
import { SERVER_EVENT_TYPES } from '@usher/core';
import { Hono } from 'hono';
import { jsonBody } from '../body.js';
import { type Env, type RouteModule, validatorsFor } from '../context.js';
import { apiVersion, collectionOf, errors, json, LATEST, paging, ref } from '../openapi/parts.js';
import { nextLink, pageOf } from '../paging.js';
import { respond } from '../respond.js';
import { emptyResponse, jsonResponse } from '../responses.js';
import { bodySchemas } from '../schemas.js';

/** What a client sees of a subscription: never its secret. */
function wireSubscription(subscription: EventSubscription) {
  return {
    name: subscription.name,
    endpointUrl: subscription.endpointUrl,
    includedEventTypes: subscription.includedEventTypes,
    eventDeliverySchema: subscription.eventDeliverySchema,
    provisioningState: 'Succeeded',
  };
}

function wireDeadLetter(letter: DeadLetter) {
  return {
    eventId: letter.eventId,
    eventType: letter.eventType,
    position: letter.position,
    attempts: letter.attempts,
    lastError: letter.lastError,
    deadLetteredAt: letter.deadLetteredAt,
    redeliveryQueued: letter.queued,
    event: letter.event,
  };
}

const name = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9-]{3,64}$' } } as const;

/** A tenant's webhooks (Event Grid's event subscriptions, in its words), behind the same HMAC gate as the Rooms API. */
export const eventSubscriptions: RouteModule = {
  routes: (deps) => {
    const { service } = deps;
    const routes = new Hono<Env>();

    routes.put('/eventSubscriptions/:name', async (c) => {
      const context = c.get('request');
      const work = jsonBody(context, c.req.raw, ['application/json'], validatorsFor(deps, context).putEventSubscription).asyncAndThen((body) =>
        service.putEventSubscription(context.tenantId, c.req.param('name'), {
          endpointUrl: body.endpointUrl,
          includedEventTypes: body.includedEventTypes,
          eventDeliverySchema: body.eventDeliverySchema ?? undefined,
          secret: body.secret,
        }),
      );
      return respond(work, ({ subscription, created }) => jsonResponse(created ? 201 : 200, wireSubscription(subscription)));
    });

    routes.get('/eventSubscriptions', async (c) => {
      const context = c.get('request');
      const listed = pageOf(context.url, deps.pageSize).asyncAndThen((page) => service.listEventSubscriptions(context.tenantId, page));
      return respond(listed, (page) => jsonResponse(200, { value: page.items.map(wireSubscription), ...nextLink(context, page.nextPageToken) }));
    });

    routes.get('/eventSubscriptions/:name', async (c) => {
      const context = c.get('request');
      return respond(service.getEventSubscription(context.tenantId, c.req.param('name')), (subscription) =>
        jsonResponse(200, wireSubscription(subscription)),
      );
    });

    routes.delete('/eventSubscriptions/:name', async (c) => {
      const context = c.get('request');
      return respond(service.deleteEventSubscription(context.tenantId, c.req.param('name')), () => emptyResponse(204));
    });

    routes.get('/eventSubscriptions/:name/deadLetters', async (c) => {
      const context = c.get('request');
      const listed = pageOf(context.url, deps.pageSize).asyncAndThen((page) => service.listDeadLetters(context.tenantId, c.req.param('name'), page));
      return respond(listed, (page) => jsonResponse(200, { value: page.items.map(wireDeadLetter), ...nextLink(context, page.nextPageToken) }));
    });

    routes.post('/eventSubscriptions/:name/deadLetters/redeliver', async (c) => {
      const context = c.get('request');
      return respond(service.redeliverDeadLetters(context.tenantId, c.req.param('name')), (queued) => jsonResponse(202, { queued }));
    });

    return routes;
  },

  api: {
    schemas: {
      EventSubscriptionRequest: bodySchemas(LATEST).putEventSubscription,
      EventSubscription: {
        type: 'object',
        required: ['name', 'endpointUrl', 'includedEventTypes', 'eventDeliverySchema', 'provisioningState'],
        properties: {
          name: { type: 'string' },
          endpointUrl: { type: 'string' },
          includedEventTypes: { type: 'array', nullable: true, items: { type: 'string', enum: [...SERVER_EVENT_TYPES] } },
          eventDeliverySchema: { type: 'string', enum: ['EventGridSchema', 'CloudEventSchemaV1_0'] },
          provisioningState: { type: 'string', enum: ['Succeeded'] },
        },
      },
      EventSubscriptionsCollection: collectionOf('EventSubscription'),
      DeadLetter: {
        type: 'object',
        required: ['eventId', 'eventType', 'position', 'attempts', 'lastError', 'deadLetteredAt', 'redeliveryQueued', 'event'],
        properties: {
          eventId: { type: 'string' },
          eventType: { type: 'string' },
          position: { type: 'integer' },
          attempts: { type: 'integer' },
          lastError: { type: 'string' },
          deadLetteredAt: { type: 'string', format: 'date-time' },
          redeliveryQueued: { type: 'boolean' },
          event: { type: 'object', description: 'The event in the Event Grid schema, as it was to be delivered' },
        },
      },
      DeadLettersCollection: collectionOf('DeadLetter'),
    },
    paths: {
      '/eventSubscriptions': {
        get: {
          operationId: 'EventSubscriptions_List',
          parameters: [apiVersion, ...paging],
          responses: { 200: { description: 'In name order.', content: json(ref('EventSubscriptionsCollection')) }, ...errors },
        },
      },
      '/eventSubscriptions/{name}': {
        put: {
          operationId: 'EventSubscriptions_CreateOrReplace',
          parameters: [apiVersion, name],
          requestBody: { required: true, content: json(ref('EventSubscriptionRequest')) },
          responses: {
            200: { description: 'Replaced, once the endpoint passed the validation handshake.', content: json(ref('EventSubscription')) },
            201: { description: 'Created, once the endpoint passed the validation handshake.', content: json(ref('EventSubscription')) },
            ...errors,
          },
        },
        get: {
          operationId: 'EventSubscriptions_Get',
          parameters: [apiVersion, name],
          responses: { 200: { description: 'The subscription (never its secret).', content: json(ref('EventSubscription')) }, ...errors },
        },
        delete: {
          operationId: 'EventSubscriptions_Delete',
          parameters: [apiVersion, name],
          responses: { 204: { description: 'Deleted, with its dead letters (or there was none).' }, ...errors },
        },
      },
      '/eventSubscriptions/{name}/deadLetters': {
        get: {
          operationId: 'EventSubscriptions_ListDeadLetters',
          parameters: [apiVersion, name, ...paging],
          responses: { 200: { description: 'In log order.', content: json(ref('DeadLettersCollection')) }, ...errors },
        },
      },
      '/eventSubscriptions/{name}/deadLetters/redeliver': {
        post: {
          operationId: 'EventSubscriptions_Redeliver',
          parameters: [apiVersion, name],
          responses: {
            202: {
              description: 'Every dead letter is queued for one more delivery.',
              content: json({ type: 'object', required: ['queued'], properties: { queued: { type: 'integer' } } }),
            },
            ...errors,
          },
        },
      },
    },
  },
};
