import { API_VERSIONS, shapeOf } from './api-versions.js';
import { bodySchemas } from './schemas.js';

const LATEST = shapeOf(API_VERSIONS[API_VERSIONS.length - 1] ?? '2025-03-13');

const json = (schema: object) => ({ 'application/json': { schema } });
const errorResponse = {
  description: 'An ACS error: `{ error: { code, message, target?, details? } }`, code also in `x-ms-error-code`.',
  content: json({ $ref: '#/components/schemas/CommunicationErrorResponse' }),
};
const apiVersion = { name: 'api-version', in: 'query', required: true, schema: { type: 'string', enum: [...API_VERSIONS] } };
const roomId = { name: 'roomId', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]{16,18}$' } };
const paging = [
  { name: 'maxpagesize', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
  {
    name: 'nextLink',
    in: 'query',
    required: false,
    description: 'The continuation token of a previous page (follow `nextLink` as it is).',
    schema: { type: 'string' },
  },
];
const errors = { default: errorResponse };

/** Ajv's typed schemas list `required: []`, which OpenAPI 3.0 forbids (minItems 1); the document leaves them out. */
function withoutEmptyRequired(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutEmptyRequired);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'required' && Array.isArray(value) && value.length === 0))
      .map(([key, value]) => [key, withoutEmptyRequired(value)]),
  );
}

/** OpenAPI 3.0 description of the ACS-compatible Rooms API this server answers (body schemas shared with the validators). */
export function openApiDocument() {
  const bodies = bodySchemas(LATEST);
  return {
    openapi: '3.0.3',
    info: { title: 'Usher — ACS Rooms-compatible API', version: LATEST.version },
    components: {
      securitySchemes: {
        hmac: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'ACS HMAC-SHA256: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64>`.',
        },
      },
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
        RoomsCollection: {
          type: 'object',
          required: ['value'],
          properties: { value: { type: 'array', items: { $ref: '#/components/schemas/Room' } }, nextLink: { type: 'string' } },
        },
        Participant: {
          type: 'object',
          required: ['rawId', 'role'],
          properties: { rawId: { type: 'string' }, role: { type: 'string', enum: ['Presenter', 'Collaborator', 'Attendee', 'Consumer'] } },
        },
        ParticipantsCollection: {
          type: 'object',
          required: ['value'],
          properties: { value: { type: 'array', items: { $ref: '#/components/schemas/Participant' } }, nextLink: { type: 'string' } },
        },
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
        History: {
          type: 'object',
          required: ['value'],
          properties: { value: { type: 'array', items: { $ref: '#/components/schemas/TimelineEntry' } }, nextLink: { type: 'string' } },
        },
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
        CreateRoomRequest: withoutEmptyRequired(bodies.createRoom),
        UpdateRoomRequest: withoutEmptyRequired(bodies.updateRoom),
        UpdateParticipantsRequest: withoutEmptyRequired(bodies.updateParticipants),
        CommunicationError: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            target: { type: 'string' },
            details: { type: 'array', items: { $ref: '#/components/schemas/CommunicationError' } },
          },
        },
        CommunicationErrorResponse: {
          type: 'object',
          required: ['error'],
          properties: { error: { $ref: '#/components/schemas/CommunicationError' } },
        },
      },
    },
    security: [{ hmac: [] }],
    paths: {
      '/healthz': { get: { operationId: 'Health', security: [], responses: { 200: { description: 'The server is up.' } } } },
      '/openapi.json': { get: { operationId: 'OpenApi', security: [], responses: { 200: { description: 'This document.' } } } },
      '/rooms': {
        post: {
          operationId: 'Rooms_Create',
          parameters: [
            apiVersion,
            { name: 'Repeatability-Request-ID', in: 'header', schema: { type: 'string', format: 'uuid' } },
            { name: 'Repeatability-First-Sent', in: 'header', schema: { type: 'string', description: 'RFC 1123 date' } },
          ],
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/CreateRoomRequest' }) },
          responses: { 201: { description: 'Created; `Location` is the room id.', content: json({ $ref: '#/components/schemas/Room' }) }, ...errors },
        },
        get: {
          operationId: 'Rooms_List',
          parameters: [apiVersion, ...paging],
          responses: { 200: { description: 'Newest first.', content: json({ $ref: '#/components/schemas/RoomsCollection' }) }, ...errors },
        },
      },
      '/rooms/{roomId}': {
        get: {
          operationId: 'Rooms_Get',
          parameters: [apiVersion, roomId],
          responses: { 200: { description: 'The room.', content: json({ $ref: '#/components/schemas/Room' }) }, ...errors },
        },
        patch: {
          operationId: 'Rooms_Update',
          parameters: [apiVersion, roomId],
          requestBody: {
            required: true,
            content: { 'application/merge-patch+json': { schema: { $ref: '#/components/schemas/UpdateRoomRequest' } } },
          },
          responses: { 200: { description: 'The updated room.', content: json({ $ref: '#/components/schemas/Room' }) }, ...errors },
        },
        delete: {
          operationId: 'Rooms_Delete',
          parameters: [apiVersion, roomId],
          responses: { 204: { description: 'Deleted (also when it was already).' }, ...errors },
        },
      },
      '/rooms/{roomId}/history': {
        get: {
          operationId: 'Audit_History',
          description: 'Usher extension: the room’s events as a timeline (who did what, when, with which request id), oldest first.',
          parameters: [apiVersion, roomId, ...paging],
          responses: { 200: { description: 'A page of the timeline.', content: json({ $ref: '#/components/schemas/History' }) }, ...errors },
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
          responses: { 200: { description: 'The state at that instant.', content: json({ $ref: '#/components/schemas/RoomStateAt' }) }, ...errors },
        },
      },
      '/rooms/{roomId}/participants': {
        get: {
          operationId: 'Participants_List',
          parameters: [apiVersion, roomId, ...paging],
          responses: {
            200: { description: 'In the order first added.', content: json({ $ref: '#/components/schemas/ParticipantsCollection' }) },
            ...errors,
          },
        },
        patch: {
          operationId: 'Participants_Update',
          parameters: [apiVersion, roomId],
          requestBody: {
            required: true,
            content: { 'application/merge-patch+json': { schema: { $ref: '#/components/schemas/UpdateParticipantsRequest' } } },
          },
          responses: { 200: { description: 'Applied; `null` removes a participant.', content: json({ type: 'object' }) }, ...errors },
        },
      },
    },
  };
}
