import { createHash } from 'node:crypto';
import { getRequestListener } from '@hono/node-server';
import {
  type Clock,
  type CommandResult,
  type EventStore,
  fold,
  history,
  type PageRequest,
  parsePageRequest,
  parseRoomId,
  parseTimestamp,
  type RoomService,
  roomAt,
  type StreamKey,
  summaryOf,
  type TenantId,
  toPage,
  type UsherError,
} from '@usher/core';
import { Hono } from 'hono';
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { type AcsError, acsError, badArguments, badRequest, fromUsherError, notFound } from './acs-errors.js';
import { API_VERSIONS, isApiVersion, shapeOf, type VersionShape } from './api-versions.js';
import { type AccessKey, authenticate, DEFAULT_CLOCK_SKEW_MS } from './auth.js';
import { checkContentType, DEFAULT_MAX_BODY_BYTES, parseJson, readBody } from './body.js';
import { openApiDocument } from './openapi.js';
import { parseRepeatability, repeatableRoomId } from './repeatability.js';
import { createRoomInput, updateParticipantsInput, updateRoomInput } from './requests.js';
import { emptyResponse, errorResponse, jsonResponse } from './responses.js';
import { type BodyValidator, createValidators } from './schemas.js';
import { wireParticipant, wireRoom } from './wire.js';

export interface HttpAdapterOptions {
  readonly service: RoomService;
  /** For the reads the service does not wrap: the request ledger and room history of repeatable creates. */
  readonly store: EventStore;
  readonly clock: Clock;
  readonly keys: readonly AccessKey[];
  /** Default 1 MiB; larger bodies get 413. */
  readonly maxBodyBytes?: number | undefined;
  /** Default 15 minutes, see DEFAULT_CLOCK_SKEW_MS. */
  readonly clockSkewMs?: number | undefined;
  /** Items per page of GET /rooms and GET /rooms/{id}/participants when the client gives no `maxpagesize` (default 50). */
  readonly pageSize?: number | undefined;
}

interface RequestContext {
  readonly tenantId: TenantId;
  readonly shape: VersionShape;
  readonly body: string;
}

type Env = { Variables: { request: RequestContext } };

interface CreatedRoom {
  readonly room: ReturnType<typeof wireRoom>;
}

const MERGE_PATCH = ['application/merge-patch+json', 'application/json'];

export function createHttpHandler(options: HttpAdapterOptions) {
  const { service, store, clock, keys } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const skew = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const validators = new Map(API_VERSIONS.map((version) => [version, createValidators(shapeOf(version))]));
  const app = new Hono<Env>();

  app.get('/healthz', () => jsonResponse(200, { status: 'ok' }));
  app.get('/openapi.json', () => jsonResponse(200, openApiDocument()));

  /** Body, signature, then api-version: nothing about the API is said to a caller who did not sign. */
  const gate = async (request: Request): Promise<Result<RequestContext, AcsError>> => {
    const body = await readBody(request, maxBodyBytes);
    if (body.isErr()) return err(body.error);
    const url = new URL(request.url);
    const tenant = authenticate({ method: request.method, url, headers: request.headers, body: body.value }, keys, clock.now(), skew);
    if (tenant.isErr()) return err(tenant.error);
    const version = url.searchParams.get('api-version');
    if (version === null) {
      return err(acsError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'));
    }
    if (!isApiVersion(version)) {
      return err(
        acsError(
          400,
          'UnsupportedApiVersion',
          `The HTTP resource that matches the request URI '${url.pathname}' does not support the API version '${version}'. Supported: ${API_VERSIONS.join(', ')}.`,
        ),
      );
    }
    return ok({ tenantId: tenant.value, shape: shapeOf(version), body: body.value });
  };

  // Hono's `/rooms/*` also matches `/rooms` itself.
  app.use('/rooms/*', async (c, next) => {
    const context = await gate(c.req.raw);
    if (context.isErr()) return errorResponse(context.error);
    c.set('request', context.value);
    await next();
  });

  const respond = async <T>(work: ResultAsync<T, AcsError | UsherError>, success: (value: T) => Response): Promise<Response> => {
    const result = await work;
    if (result.isOk()) return success(result.value);
    const error = result.error;
    return errorResponse('status' in error ? error : fromUsherError(error));
  };

  const jsonBody = <T>(
    context: RequestContext,
    request: Request,
    types: readonly string[],
    pick: (v: ReturnType<typeof createValidators>) => BodyValidator<T>,
  ) =>
    checkContentType(request, types)
      .andThen(() => parseJson(context.body))
      .andThen((value) => pick(validators.get(context.shape.version) as ReturnType<typeof createValidators>)(value));

  const streamOf = (context: RequestContext, id: string): Result<StreamKey, AcsError> =>
    parseRoomId(id)
      .map((roomId) => ({ tenantId: context.tenantId, roomId }))
      .mapErr(fromUsherError);

  const pageOf = (url: URL): Result<PageRequest, AcsError> => {
    const size = url.searchParams.get('maxpagesize');
    const pageSize = size === null ? options.pageSize : Number(size);
    if (size !== null && !/^[0-9]{1,4}$/.test(size)) {
      return err(badArguments([{ code: 'BadArgument', message: 'maxpagesize must be a whole number from 1 to 1000.', target: 'maxpagesize' }]));
    }
    return ok({ pageToken: url.searchParams.get('nextLink') ?? undefined, pageSize });
  };

  /** Absolute, carrying api-version (the SDK follows nextLink verbatim) and URL-safe so that signing it is unambiguous. */
  const nextLink = (url: URL, context: RequestContext, token: string | null) => {
    if (token === null) return {};
    const next = new URL(url.pathname, url.origin);
    next.searchParams.set('api-version', context.shape.version);
    const size = url.searchParams.get('maxpagesize');
    if (size !== null) next.searchParams.set('maxpagesize', size);
    next.searchParams.set('nextLink', token);
    return { nextLink: next.toString() };
  };

  app.post('/rooms', async (c) => {
    const context = c.get('request');
    const request = c.req.raw;
    const created = jsonBody(context, request, ['application/json'], (v) => v.createRoom)
      .andThen((body) => createRoomInput(body, context.shape))
      .asyncAndThen((input) => {
        const repeatable = parseRepeatability(request.headers, clock.now());
        if (repeatable.isErr()) return errAsync<CreatedRoom, AcsError | UsherError>(repeatable.error);
        const requestHash = createHash('sha256').update(context.body, 'utf8').digest('base64');
        const meta = { actor: `tenant:${context.tenantId}`, requestId: repeatable.value?.requestId, requestHash };
        const answer = (result: CommandResult) =>
          result.state.status === 'active'
            ? okAsync<CreatedRoom, AcsError | UsherError>({ room: wireRoom(summaryOf(result.stream, result.state.room), context.shape) })
            : errAsync<CreatedRoom, AcsError | UsherError>(notFound());
        if (repeatable.value === null) return service.createRoom(context.tenantId, input, meta).andThen(answer);
        const requestId = repeatable.value.requestId;
        const replay = (): ResultAsync<CreatedRoom | null, AcsError | UsherError> =>
          store.findByRequestId(context.tenantId, requestId).andThen((record) => {
            if (record === null) return okAsync(null);
            const stream = { tenantId: context.tenantId, roomId: record.roomId };
            return store.readStream(stream, { toVersion: record.toVersion }).andThen((events) => {
              if (events[record.fromVersion - 1]?.meta.requestHash !== requestHash) {
                return errAsync({
                  ...badRequest('The request does not match the earlier request with the same Repeatability-Request-ID.'),
                  rejected: true,
                });
              }
              const state = fold(events);
              if (state.status === 'absent') return errAsync(notFound());
              return okAsync({ room: wireRoom(summaryOf(stream, state.room), context.shape) });
            });
          });
        // The room id follows from the request id, so that copies of one request racing each other create
        // one room: the losers find it taken and answer with the winner's room.
        const stream = { tenantId: context.tenantId, roomId: repeatableRoomId(context.tenantId, requestId) };
        return replay().andThen((earlier) => {
          if (earlier !== null) return okAsync(earlier);
          return service
            .execute(stream, { ...input, type: 'CreateRoom', roomId: stream.roomId }, meta)
            .andThen(answer)
            .orElse((error) => {
              if (!('type' in error) || error.type !== 'RoomAlreadyExists') return errAsync(error);
              return replay().andThen((winner) =>
                winner !== null ? okAsync(winner) : service.createRoom(context.tenantId, input, meta).andThen(answer),
              );
            });
        });
      });
    const result = await created;
    if (result.isOk()) return jsonResponse(201, result.value.room, { location: result.value.room.id, 'repeatability-result': 'accepted' });
    const error = result.error;
    const rejected: Record<string, string> = 'rejected' in error ? { 'repeatability-result': 'rejected' } : {};
    return errorResponse('status' in error ? error : fromUsherError(error), rejected);
  });

  app.get('/rooms', async (c) => {
    const context = c.get('request');
    const url = new URL(c.req.url);
    return respond(
      pageOf(url).asyncAndThen((page) => service.listRooms(context.tenantId, page)),
      (page) => jsonResponse(200, { value: page.items.map((room) => wireRoom(room, context.shape)), ...nextLink(url, context, page.nextPageToken) }),
    );
  });

  app.get('/rooms/:roomId', async (c) => {
    const context = c.get('request');
    return respond(
      streamOf(context, c.req.param('roomId')).asyncAndThen((stream) => service.getRoom(stream)),
      (room) => (room === null ? errorResponse(notFound()) : jsonResponse(200, wireRoom(room, context.shape))),
    );
  });

  app.patch('/rooms/:roomId', async (c) => {
    const context = c.get('request');
    const work = streamOf(context, c.req.param('roomId')).andThen((stream) =>
      jsonBody(context, c.req.raw, MERGE_PATCH, (v) => v.updateRoom)
        .andThen(updateRoomInput)
        .map((input) => ({ stream, input })),
    );
    return respond(
      work.asyncAndThen(({ stream, input }) => service.updateRoom(stream, input, { actor: `tenant:${context.tenantId}` })),
      (result) =>
        result.state.status === 'active'
          ? jsonResponse(200, wireRoom(summaryOf(result.stream, result.state.room), context.shape))
          : errorResponse(notFound()),
    );
  });

  app.delete('/rooms/:roomId', async (c) => {
    const context = c.get('request');
    return respond(
      streamOf(context, c.req.param('roomId')).asyncAndThen((stream) => service.deleteRoom(stream, { actor: `tenant:${context.tenantId}` })),
      () => emptyResponse(204),
    );
  });

  app.get('/rooms/:roomId/participants', async (c) => {
    const context = c.get('request');
    const url = new URL(c.req.url);
    const work = streamOf(context, c.req.param('roomId')).andThen((stream) => pageOf(url).map((page) => ({ stream, page })));
    return respond(
      work.asyncAndThen(({ stream, page }) =>
        service.getRoom(stream).andThen((room) => (room === null ? errAsync<never, AcsError>(notFound()) : service.listParticipants(stream, page))),
      ),
      (page) => jsonResponse(200, { value: page.items.map(wireParticipant), ...nextLink(url, context, page.nextPageToken) }),
    );
  });

  // Usher's audit reads (not in ACS): a room's history, a page of versions at a time, and its state at an instant.
  app.get('/rooms/:roomId/history', async (c) => {
    const context = c.get('request');
    const url = new URL(c.req.url);
    const work = streamOf(context, c.req.param('roomId')).andThen((stream) =>
      pageOf(url)
        .andThen((page) => parsePageRequest(page).mapErr(fromUsherError))
        .map((keyset) => ({ stream, keyset })),
    );
    return respond(
      work.asyncAndThen(({ stream, keyset }) =>
        history(store, stream, { fromVersion: (keyset.after ?? 0) + 1, limit: keyset.pageSize + 1 }).andThen((entries) =>
          entries.length === 0 && keyset.after === null ? errAsync<never, AcsError>(notFound()) : okAsync({ entries, keyset }),
        ),
      ),
      ({ entries, keyset }) => {
        const page = toPage(entries, keyset.pageSize, (entry) => entry.version);
        return jsonResponse(200, { value: page.items, ...nextLink(url, context, page.nextPageToken) });
      },
    );
  });

  app.get('/rooms/:roomId/state', async (c) => {
    const context = c.get('request');
    const atParameter = c.req.query('at');
    const work = streamOf(context, c.req.param('roomId')).andThen((stream) =>
      (atParameter === undefined ? ok(clock.now()) : parseTimestamp(atParameter, 'at').mapErr(fromUsherError)).map((at) => ({ stream, at })),
    );
    return respond(
      work.asyncAndThen(({ stream, at }) =>
        store
          .readStream(stream, { toVersion: 1 })
          .andThen((first) =>
            first.length === 0 ? errAsync<never, AcsError>(notFound()) : roomAt(store, stream, at).map((state) => ({ at, ...state })),
          ),
      ),
      ({ at, state, version }) => jsonResponse(200, { at: at.toISOString(), version, ...state }),
    );
  });

  app.patch('/rooms/:roomId/participants', async (c) => {
    const context = c.get('request');
    const work = streamOf(context, c.req.param('roomId')).andThen((stream) =>
      jsonBody(context, c.req.raw, MERGE_PATCH, (v) => v.updateParticipants)
        .andThen((body) => updateParticipantsInput(body, context.shape))
        .map((input) => ({ stream, input })),
    );
    return respond(
      work.asyncAndThen(({ stream, input }) =>
        service.updateParticipants(stream, input.upsert, input.remove, { actor: `tenant:${context.tenantId}` }),
      ),
      () => jsonResponse(200, {}),
    );
  });

  app.notFound((c) =>
    errorResponse(
      c.req.path === '/rooms' || c.req.path.startsWith('/rooms/')
        ? acsError(405, 'MethodNotAllowed', `${c.req.method} is not supported on ${c.req.path}.`)
        : acsError(404, 'NotFound', `There is no resource at ${c.req.path}.`),
    ),
  );
  app.onError((error) => {
    console.error(error);
    return errorResponse(acsError(500, 'InternalError', 'The server failed to handle the request.'));
  });

  const fetch = (request: Request): Promise<Response> => Promise.resolve(app.fetch(request));
  return { fetch, listener: getRequestListener(fetch) };
}
