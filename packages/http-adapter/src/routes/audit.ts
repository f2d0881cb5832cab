import { parseTimestamp } from '@usher/core';
import { Hono } from 'hono';
import { ok } from 'neverthrow';
import type { Env, RouteModule } from '../context.js';
import { apiVersion, collectionOf, errors, json, paging, ref, roomId } from '../openapi/parts.js';
import { nextLink, roomPage } from '../paging.js';
import { roomStream } from '../requests.js';
import { respond } from '../respond.js';
import { jsonResponse } from '../responses.js';

/** Usher's audit reads (not in ACS): a room's history, a page of versions at a time, and its state at an instant. */
export const audit: RouteModule = {
  routes: (deps) => {
    const { service } = deps;
    const routes = new Hono<Env>();

    routes.get('/rooms/:roomId/history', async (c) => {
      const context = c.get('request');
      const page = roomPage(context, c.req.param('roomId'), deps.pageSize).asyncAndThen(({ stream, page }) => service.history(stream, page));
      return respond(page, (entries) => jsonResponse(200, { value: entries.items, ...nextLink(context, entries.nextPageToken) }));
    });

    // A replay can be long: it goes a chunk at a time, and stops when the client goes away.
    routes.get('/rooms/:roomId/state', async (c) => {
      const context = c.get('request');
      const at = c.req.query('at');
      const replayed = roomStream(context, c.req.param('roomId'))
        .andThen((stream) => (at === undefined ? ok(undefined) : parseTimestamp(at, 'at')).map((instant) => ({ stream, instant })))
        .asyncAndThen(({ stream, instant }) => service.roomAt(stream, instant, { signal: c.req.raw.signal }));
      return respond(replayed, ({ at, version, state }) => jsonResponse(200, { at, version, ...state }));
    });

    return routes;
  },

  api: {
    schemas: {
      TimelineEntry: {
        type: 'object',
        required: ['version', 'at', 'actor', 'requestId', 'type', 'description', 'eventId', 'hash'],
        properties: {
          version: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
          actor: { type: 'string' },
          requestId: { type: 'string', nullable: true },
          type: { type: 'string' },
          description: { type: 'string' },
          eventId: { type: 'string' },
          hash: { type: 'string', description: 'SHA-256 of the event chained to the previous one' },
        },
      },
      History: collectionOf('TimelineEntry'),
      RoomStateAt: {
        type: 'object',
        required: ['at', 'version', 'status'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          version: { type: 'integer', description: 'The last event replayed; 0 when the room did not exist yet.' },
          status: { type: 'string', enum: ['absent', 'active', 'deleted'] },
          room: { type: 'object', description: 'Window, flags, roster (rawId → role) and call (participants, roles, muted, screen sharer).' },
        },
      },
    },
    paths: {
      '/rooms/{roomId}/history': {
        get: {
          operationId: 'Audit_History',
          description: 'Usher extension: the room’s events as a timeline (who did what, when, with which request id), oldest first.',
          parameters: [apiVersion, roomId, ...paging],
          responses: { 200: { description: 'A page of the timeline.', content: json(ref('History')) }, ...errors },
        },
      },
      '/rooms/{roomId}/state': {
        get: {
          operationId: 'Audit_StateAt',
          description: 'Usher extension: the room as it was at an instant, by replay of its events.',
          parameters: [
            apiVersion,
            roomId,
            {
              name: 'at',
              in: 'query',
              required: false,
              description: 'ISO-8601 instant; default now.',
              schema: { type: 'string', format: 'date-time' },
            },
          ],
          responses: { 200: { description: 'The state at that instant.', content: json(ref('RoomStateAt')) }, ...errors },
        },
      },
    },
  },
};
