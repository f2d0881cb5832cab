import {
  type IdentityKey,
  type ParticipantId,
  parseParticipantId,
  parseScopes,
  parseTimestamp,
  parseTokenLifetime,
  type TokenScope,
  type UsherError,
} from '@usher/core';
import { Hono } from 'hono';
import { err, ok, type Result } from 'neverthrow';
import { optionalJsonBody } from '../body.js';
import { actorOf, type Env, type RequestContext, type RouteModule, validatorsFor } from '../context.js';
import type { ApiError } from '../errors.js';
import { errors, json, ref } from '../openapi/parts.js';
import { respond } from '../respond.js';
import { emptyResponse, jsonResponse } from '../responses.js';

/** An id that is no communication-user id names no identity: 404, as an unknown one. */
function identityKey(context: RequestContext, id: string): Result<IdentityKey, UsherError> {
  return parseParticipantId(id)
    .map((identityId: ParticipantId) => ({ tenantId: context.tenantId, identityId }))
    .mapErr((): UsherError => ({ type: 'IdentityNotFound', identityId: id, message: `Identity ${id} does not exist.` }));
}

const accessToken = (token: { token: string; expiresOn: string }) => ({ token: token.token, expiresOn: token.expiresOn });

/** The ACS Identity API (reference/sdk-wire.md §11): users of the key's tenant and their access tokens, with the same HMAC keys as the Rooms API. */
export const identities: RouteModule = {
  routes: (deps) => {
    const { service } = deps;
    const routes = new Hono<Env>();

    routes.post('/identities', async (c) => {
      const context = c.get('request');
      const work = optionalJsonBody(context, c.req.raw, validatorsFor(deps, context).createIdentity)
        .andThen((body) => {
          const wanted = body.createTokenWithScopes ?? [];
          const scopes: Result<readonly TokenScope[] | undefined, UsherError> =
            wanted.length === 0 ? ok(undefined) : parseScopes(wanted, 'createTokenWithScopes');
          return scopes.andThen((scopes) =>
            parseTokenLifetime(body.expiresInMinutes, 'expiresInMinutes').map((expiresInMinutes) => ({ scopes, expiresInMinutes })),
          );
        })
        .asyncAndThen((options) => service.createIdentity(context.tenantId, options, actorOf(context)));
      return respond(work, ({ identityId, token }) =>
        jsonResponse(201, { identity: { id: identityId }, ...(token === null ? {} : { accessToken: accessToken(token) }) }),
      );
    });

    // ACS's custom actions: /identities/{id}/:issueAccessToken and /identities/{id}/:revokeAccessTokens.
    routes.post('/identities/:id/:action', async (c) => {
      const context = c.get('request');
      const action = c.req.param('action');
      const key = identityKey(context, c.req.param('id'));
      if (action === ':revokeAccessTokens') {
        return respond(
          key.asyncAndThen((identity) => service.revokeTokens(identity, actorOf(context))),
          () => emptyResponse(204),
        );
      }
      if (action !== ':issueAccessToken') return respond(err(refusedAction(c.req.path)), () => emptyResponse(204));
      const work = key
        .andThen((identity) =>
          optionalJsonBody(context, c.req.raw, validatorsFor(deps, context).issueAccessToken).andThen((body) =>
            parseScopes(body.scopes, 'scopes').andThen((scopes) =>
              parseTokenLifetime(body.expiresInMinutes, 'expiresInMinutes').map((expiresInMinutes) => ({ identity, scopes, expiresInMinutes })),
            ),
          ),
        )
        .asyncAndThen(({ identity, scopes, expiresInMinutes }) => service.issueToken(identity, scopes, expiresInMinutes, actorOf(context)));
      return respond(work, (token) => jsonResponse(200, accessToken(token)));
    });

    routes.delete('/identities/:id', async (c) => {
      const context = c.get('request');
      return respond(
        identityKey(context, c.req.param('id')).asyncAndThen((identity) => service.deleteIdentity(identity, actorOf(context))),
        () => emptyResponse(204),
      );
    });

    // Usher's audit read (not in ACS): which tokens the identity could hold at an instant.
    routes.get('/identities/:id/tokens', async (c) => {
      const context = c.get('request');
      const at = c.req.query('at');
      const work = identityKey(context, c.req.param('id'))
        .andThen((identity) => (at === undefined ? ok(undefined) : parseTimestamp(at, 'at')).map((instant) => ({ identity, instant })))
        .asyncAndThen(({ identity, instant }) => service.tokensAt(identity, instant));
      return respond(work, (held) => jsonResponse(200, held));
    });

    return routes;
  },

  api: {
    schemas: {
      CommunicationIdentity: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      AccessToken: {
        type: 'object',
        required: ['token', 'expiresOn'],
        properties: {
          token: { type: 'string', description: 'An ES256 JWT; its keys are at /.well-known/jwks.json.' },
          expiresOn: { type: 'string', format: 'date-time' },
        },
      },
      CreateIdentityResult: {
        type: 'object',
        required: ['identity'],
        properties: { identity: ref('CommunicationIdentity'), accessToken: ref('AccessToken') },
      },
      CreateIdentityRequest: {
        type: 'object',
        properties: {
          createTokenWithScopes: { type: 'array', items: { type: 'string', enum: ['chat', 'voip', 'chat.join', 'chat.join.limited', 'voip.join'] } },
          expiresInMinutes: { type: 'integer', minimum: 60, maximum: 1440 },
        },
        additionalProperties: false,
      },
      IssueAccessTokenRequest: {
        type: 'object',
        required: ['scopes'],
        properties: {
          scopes: { type: 'array', items: { type: 'string', enum: ['chat', 'voip', 'chat.join', 'chat.join.limited', 'voip.join'] } },
          expiresInMinutes: { type: 'integer', minimum: 60, maximum: 1440 },
        },
        additionalProperties: false,
      },
      TokensAt: {
        type: 'object',
        required: ['at', 'tokens'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          identity: { type: 'object', nullable: true },
          tokens: { type: 'array', items: { type: 'object' } },
        },
      },
    },
    paths: (() => {
      const version = { name: 'api-version', in: 'query', required: true, schema: { type: 'string', example: '2023-10-01' } };
      const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The identity’s id, 8:acs:<resource>_<user>.' };
      return {
        '/identities': {
          post: {
            operationId: 'CommunicationIdentity_Create',
            parameters: [version],
            requestBody: { required: false, content: json(ref('CreateIdentityRequest')) },
            responses: {
              201: { description: 'Created, with a token when scopes were asked for.', content: json(ref('CreateIdentityResult')) },
              ...errors,
            },
          },
        },
        '/identities/{id}': {
          delete: {
            operationId: 'CommunicationIdentity_Delete',
            description: 'Deletes the identity: its tokens stop working at once, and it is ejected from every call it is in.',
            parameters: [version, id],
            responses: { 204: { description: 'Deleted.' }, ...errors },
          },
        },
        '/identities/{id}/:issueAccessToken': {
          post: {
            operationId: 'CommunicationIdentity_IssueAccessToken',
            parameters: [version, id],
            requestBody: { required: true, content: json(ref('IssueAccessTokenRequest')) },
            responses: { 200: { description: 'The token.', content: json(ref('AccessToken')) }, ...errors },
          },
        },
        '/identities/{id}/:revokeAccessTokens': {
          post: {
            operationId: 'CommunicationIdentity_RevokeAccessTokens',
            description: 'Every token issued so far stops working on the next request that shows it.',
            parameters: [version, id],
            responses: { 204: { description: 'Revoked.' }, ...errors },
          },
        },
        '/identities/{id}/tokens': {
          get: {
            operationId: 'Audit_TokensAt',
            description:
              'Usher extension: the tokens the identity could hold at an instant (issued, not expired, not revoked, identity not deleted).',
            parameters: [
              version,
              id,
              {
                name: 'at',
                in: 'query',
                required: false,
                description: 'ISO-8601 instant; default now.',
                schema: { type: 'string', format: 'date-time' },
              },
            ],
            responses: { 200: { description: 'The tokens.', content: json(ref('TokensAt')) }, ...errors },
          },
        },
      };
    })(),
  },
};

function refusedAction(path: string): ApiError {
  return { type: 'HttpRefusal', acs: { status: 404, code: 'NotFound', message: `There is no resource at ${path}.` } };
}
