import { ROUTE_MODULES } from '../routes/modules.js';
import { LATEST } from './parts.js';

/** OpenAPI 3.0 description of the API this server answers, assembled from its route modules (body schemas shared with the validators). */
export function openApiDocument() {
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
        accessToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A user access token (Identity API, voip or voip.join scope): the call API only.',
        },
      },
      schemas: {
        ...Object.assign({}, ...ROUTE_MODULES.map((module) => module.api.schemas)),
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
      '/readyz': {
        get: {
          operationId: 'Ready',
          security: [],
          responses: {
            200: { description: 'The server and its store answer.' },
            503: { description: 'The store does not answer (unreachable, or not migrated).' },
          },
        },
      },
      '/openapi.json': { get: { operationId: 'OpenApi', security: [], responses: { 200: { description: 'This document.' } } } },
      '/.well-known/jwks.json': {
        get: { operationId: 'Jwks', security: [], responses: { 200: { description: 'The public keys access tokens are signed with (ES256).' } } },
      },
      ...Object.assign({}, ...ROUTE_MODULES.map((module) => module.api.paths)),
    },
  };
}
