import { ROOM_NOT_FOUND } from '@usher/core';
import { Hono } from 'hono';
import { errAsync } from 'neverthrow';
import { jsonBody } from '../body.js';
import { actorOf, type Env, type RouteModule, validatorsFor } from '../context.js';
import { apiVersion, collectionOf, errors, json, LATEST, paging, ref, roomId, withoutEmptyRequired } from '../openapi/parts.js';
import { nextLink, roomPage } from '../paging.js';
import { roomStream, updateParticipantsInput } from '../requests.js';
import { respond } from '../respond.js';
import { jsonResponse } from '../responses.js';
import { bodySchemas } from '../schemas.js';
import { wireParticipant } from '../wire.js';
import { MERGE_PATCH } from './rooms.js';

/** A room's roster: listed in the order first added, changed by a merge-patch (one decision, one append). */
export const participants: RouteModule = {
  routes: (deps) => {
    const { service } = deps;
    const routes = new Hono<Env>();

    routes.get('/rooms/:roomId/participants', async (c) => {
      const context = c.get('request');
      const listed = roomPage(context, c.req.param('roomId'), deps.pageSize).asyncAndThen(({ stream, page }) =>
        service.getRoom(stream).andThen((room) => (room === null ? errAsync(ROOM_NOT_FOUND) : service.listParticipants(stream, page))),
      );
      return respond(listed, (page) => jsonResponse(200, { value: page.items.map(wireParticipant), ...nextLink(context, page.nextPageToken) }));
    });

    routes.patch('/rooms/:roomId/participants', async (c) => {
      const context = c.get('request');
      const updated = roomStream(context, c.req.param('roomId'))
        .andThen((stream) =>
          jsonBody(context, c.req.raw, MERGE_PATCH, validatorsFor(deps, context).updateParticipants)
            .andThen((body) => updateParticipantsInput(body, context.shape))
            .map((input) => ({ stream, input })),
        )
        .asyncAndThen(({ stream, input }) => service.updateParticipants(stream, input.upsert, input.remove, actorOf(context)));
      return respond(updated, () => jsonResponse(200, {}));
    });

    return routes;
  },

  api: {
    schemas: {
      Participant: {
        type: 'object',
        required: ['rawId', 'role'],
        properties: { rawId: { type: 'string' }, role: { type: 'string', enum: ['Presenter', 'Collaborator', 'Attendee', 'Consumer'] } },
      },
      ParticipantsCollection: collectionOf('Participant'),
      UpdateParticipantsRequest: withoutEmptyRequired(bodySchemas(LATEST).updateParticipants),
    },
    paths: {
      '/rooms/{roomId}/participants': {
        get: {
          operationId: 'Participants_List',
          parameters: [apiVersion, roomId, ...paging],
          responses: { 200: { description: 'In the order first added.', content: json(ref('ParticipantsCollection')) }, ...errors },
        },
        patch: {
          operationId: 'Participants_Update',
          parameters: [apiVersion, roomId],
          requestBody: { required: true, content: { 'application/merge-patch+json': { schema: ref('UpdateParticipantsRequest') } } },
          responses: { 200: { description: 'Applied; `null` removes a participant.', content: json({ type: 'object' }) }, ...errors },
        },
      },
    },
  },
};
