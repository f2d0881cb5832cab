import { type CommandResult, ROOM_NOT_FOUND, type RoomSummary, summaryOf, type UsherError } from '@usher/core';
import { Hono } from 'hono';
import { err, ok, type Result } from 'neverthrow';
import { contentHash } from '../auth.js';
import { jsonBody } from '../body.js';
import { actorOf, type Env, type RouteModule, validatorsFor } from '../context.js';
import { apiVersion, collectionOf, errors, json, LATEST, paging, ref, roomId, withoutEmptyRequired } from '../openapi/parts.js';
import { nextLink, pageOf } from '../paging.js';
import { parseRepeatability } from '../repeatability.js';
import { createRoomInput, roomStream, updateRoomInput } from '../requests.js';
import { respond } from '../respond.js';
import { emptyResponse, jsonResponse } from '../responses.js';
import { bodySchemas } from '../schemas.js';
import { wireRoom } from '../wire.js';

export const MERGE_PATCH = ['application/merge-patch+json', 'application/json'];

/** What a command left of the room, as the API shows it; a room that does not exist (any more) is 404. */
function activeRoom(result: CommandResult): Result<RoomSummary, UsherError> {
  return result.state.status === 'active' ? ok(summaryOf(result.stream, result.state.room)) : err(ROOM_NOT_FOUND);
}

/** The six operations of ACS Rooms on rooms themselves: create (repeatable), list, get, update, delete. */
export const rooms: RouteModule = {
  routes: (deps) => {
    const { service } = deps;
    const routes = new Hono<Env>();

    routes.post('/rooms', async (c) => {
      const context = c.get('request');
      const created = jsonBody(context, c.req.raw, ['application/json'], validatorsFor(deps, context).createRoom)
        .andThen((body) => createRoomInput(body, context.shape))
        .andThen((input) => parseRepeatability(c.req.raw.headers).map((repeatable) => ({ input, repeatable })))
        .asyncAndThen(({ input, repeatable }) => {
          const requestHash = contentHash(context.body);
          const made =
            repeatable === null
              ? service.createRoom(context.tenantId, input, { ...actorOf(context), requestHash })
              : service.createRoomOnce(context.tenantId, { ...repeatable, requestHash }, input, actorOf(context));
          return made.andThen(activeRoom).map((room) => ({ room, repeatable: repeatable !== null }));
        });
      return respond(created, ({ room, repeatable }) => {
        const body = wireRoom(room, context.shape);
        // ACS says how it took a repeatable request, and says nothing of one that was not.
        return jsonResponse(201, body, { location: body.id, ...(repeatable ? { 'repeatability-result': 'accepted' } : {}) });
      });
    });

    routes.get('/rooms', async (c) => {
      const context = c.get('request');
      return respond(
        pageOf(context.url, deps.pageSize).asyncAndThen((page) => service.listRooms(context.tenantId, page)),
        (page) => jsonResponse(200, { value: page.items.map((room) => wireRoom(room, context.shape)), ...nextLink(context, page.nextPageToken) }),
      );
    });

    routes.get('/rooms/:roomId', async (c) => {
      const context = c.get('request');
      return respond(
        roomStream(context, c.req.param('roomId'))
          .asyncAndThen((stream) => service.getRoom(stream))
          .andThen((room) => (room === null ? err(ROOM_NOT_FOUND) : ok(room))),
        (room) => jsonResponse(200, wireRoom(room, context.shape)),
      );
    });

    routes.patch('/rooms/:roomId', async (c) => {
      const context = c.get('request');
      const updated = roomStream(context, c.req.param('roomId'))
        .andThen((stream) =>
          jsonBody(context, c.req.raw, MERGE_PATCH, validatorsFor(deps, context).updateRoom)
            .andThen(updateRoomInput)
            .map((input) => ({ stream, input })),
        )
        .asyncAndThen(({ stream, input }) => service.updateRoom(stream, input, actorOf(context)))
        .andThen(activeRoom);
      return respond(updated, (room) => jsonResponse(200, wireRoom(room, context.shape)));
    });

    routes.delete('/rooms/:roomId', async (c) => {
      const context = c.get('request');
      return respond(
        roomStream(context, c.req.param('roomId')).asyncAndThen((stream) => service.deleteRoom(stream, actorOf(context))),
        () => emptyResponse(204),
      );
    });

    return routes;
  },

  api: {
    schemas: {
      Room: {
        type: 'object',
        required: ['id', 'createdAt', 'validFrom', 'validUntil'],
        properties: {
          id: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          validFrom: { type: 'string', format: 'date-time' },
          validUntil: { type: 'string', format: 'date-time' },
          pstnDialOutEnabled: { type: 'boolean', description: 'From 2023-10-30-preview.' },
        },
      },
      RoomsCollection: collectionOf('Room'),
      CreateRoomRequest: withoutEmptyRequired(bodySchemas(LATEST).createRoom),
      UpdateRoomRequest: withoutEmptyRequired(bodySchemas(LATEST).updateRoom),
    },
    paths: {
      '/rooms': {
        post: {
          operationId: 'Rooms_Create',
          parameters: [
            apiVersion,
            { name: 'Repeatability-Request-ID', in: 'header', schema: { type: 'string', format: 'uuid' } },
            { name: 'Repeatability-First-Sent', in: 'header', schema: { type: 'string', description: 'RFC 1123 date' } },
          ],
          requestBody: { required: true, content: json(ref('CreateRoomRequest')) },
          responses: { 201: { description: 'Created; `Location` is the room id.', content: json(ref('Room')) }, ...errors },
        },
        get: {
          operationId: 'Rooms_List',
          parameters: [apiVersion, ...paging],
          responses: { 200: { description: 'Newest first.', content: json(ref('RoomsCollection')) }, ...errors },
        },
      },
      '/rooms/{roomId}': {
        get: {
          operationId: 'Rooms_Get',
          parameters: [apiVersion, roomId],
          responses: { 200: { description: 'The room.', content: json(ref('Room')) }, ...errors },
        },
        patch: {
          operationId: 'Rooms_Update',
          parameters: [apiVersion, roomId],
          requestBody: { required: true, content: { 'application/merge-patch+json': { schema: ref('UpdateRoomRequest') } } },
          responses: { 200: { description: 'The updated room.', content: json(ref('Room')) }, ...errors },
        },
        delete: {
          operationId: 'Rooms_Delete',
          parameters: [apiVersion, roomId],
          responses: { 204: { description: 'Deleted (also when it was already).' }, ...errors },
        },
      },
    },
  },
};
