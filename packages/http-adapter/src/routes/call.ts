import {
  type CommandResult,
  callParticipants,
  capabilitiesOf,
  type ParticipantId,
  parseParticipantId,
  parsePhoneNumber,
  ROOM_NOT_FOUND,
  type Role,
  type Room,
  roleOf,
  type StreamKey,
  SUBCODE,
  type UsherError,
} from '@usher/core';
import { type Context, Hono } from 'hono';
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { badRequest } from '../acs-errors.js';
import { optionalJsonBody } from '../body.js';
import { actorOf, type Env, type RequestContext, type RouteDeps, type RouteModule, validatorsFor } from '../context.js';
import { type ApiError, refused } from '../errors.js';
import { apiVersion, errors, json, ref, roomId } from '../openapi/parts.js';
import { roomStream } from '../requests.js';
import { respond } from '../respond.js';
import { emptyResponse, jsonResponse } from '../responses.js';

const CALL_PATH = /^\/rooms\/[^/]+\/call(\/|$)/;

/** The call API's paths: the only ones that take users' access tokens, and that answer with ACS's calling subcodes. */
export const isCallPath = (path: string): boolean => CALL_PATH.test(path);

const forbidden = (message: string): ApiError => refused({ status: 403, code: 'Forbidden', message });

/**
 * Who acts: a user is who their token says (a body may name them, nobody else); a server (HMAC)
 * names the participant in the body.
 */
function actingParticipant(context: RequestContext, named: string | undefined): Result<ParticipantId, ApiError> {
  if (context.principal.kind === 'user') {
    const self = context.principal.caller.identityId;
    return named === undefined || named === self ? ok(self) : err(forbidden('A user acts as the identity of their token only.'));
  }
  if (named === undefined) return err(refused(badRequest('Name the participant: { "id": "<rawId>" }.')));
  return parseParticipantId(named);
}

function pathParticipant(raw: string): Result<ParticipantId, UsherError> {
  return parseParticipantId(raw);
}

function inCallMember(room: Room, participant: ParticipantId) {
  const call = room.call;
  const member = call !== null && Object.hasOwn(call.participants, participant) ? call.participants[participant] : undefined;
  if (call === null || member === undefined) return null;
  return {
    id: participant,
    role: member.role,
    capabilities: capabilitiesOf(member.role),
    muted: member.muted,
    screenSharing: call.screenSharer === participant,
  };
}

function callView(room: Room) {
  const call = room.call;
  if (call === null) return { active: false, participants: [] };
  const participants = callParticipants(room).flatMap((id) => inCallMember(room, id) ?? []);
  return { active: true, ...(call.startedAt === undefined ? {} : { startedAt: call.startedAt }), participants };
}

/** The room as it is, for a caller who may see its call: a server, or a user on the roster. */
function visibleRoom(deps: RouteDeps, context: RequestContext, stream: StreamKey): ResultAsync<Room, UsherError> {
  return deps.service.loadRoom(stream).andThen((loaded) => {
    if (loaded === null || loaded.state.status !== 'active') return errAsync<Room, UsherError>(ROOM_NOT_FOUND);
    const room = loaded.state.room;
    if (context.principal.kind === 'user' && roleOf(room, context.principal.caller.identityId) === undefined) {
      const participantId = context.principal.caller.identityId;
      return errAsync<Room, UsherError>({
        type: 'NotInvited',
        participantId,
        subcode: SUBCODE.notInvited,
        message: `Participant ${participantId} is not on the room's roster.`,
      });
    }
    return okAsync(room);
  });
}

/** What a join answers: the participant as the call now has them. */
function joined(result: CommandResult, participant: ParticipantId): { id: ParticipantId; role: Role; capabilities: readonly string[] } | null {
  if (result.state.status !== 'active') return null;
  const member = inCallMember(result.state.room, participant);
  return member === null ? null : { id: member.id, role: member.role, capabilities: member.capabilities };
}

/** For a room's live call: who may join, act and see, decided by the room's roster, window and roles at the moment of each request. */
export const call: RouteModule = {
  routes: (deps) => {
    const { service } = deps;
    const routes = new Hono<Env>();
    const answer = <T>(work: ResultAsync<T, ApiError> | Result<T, ApiError>, success: (value: T) => Response) => respond(work, success, 'call');
    const target = (c: Context<Env>) =>
      roomStream(c.get('request'), c.req.param('roomId') ?? '').andThen((stream) =>
        pathParticipant(c.req.param('rawId') ?? '').map((rawId) => ({ stream, rawId })),
      );

    /** The room, and who acts in it: the token's user, or the participant a server names in the body. */
    const actingMember = (c: Context<Env>) => {
      const context = c.get('request');
      return roomStream(context, c.req.param('roomId') ?? '').andThen((stream) =>
        optionalJsonBody(context, c.req.raw, validatorsFor(deps, context).callMember)
          .andThen((body) => actingParticipant(context, body.id))
          .map((participant) => ({ stream, participant })),
      );
    };

    routes.post('/rooms/:roomId/call/participants', async (c) => {
      const context = c.get('request');
      const work = actingMember(c).asyncAndThen(({ stream, participant }) =>
        service.joinCall(stream, participant, actorOf(context)).map((result) => ({ result, member: joined(result, participant) })),
      );
      return answer(work, ({ result, member }) => jsonResponse(result.events.length > 0 ? 201 : 200, member));
    });

    // Yourself: you leave. Someone else: you remove them, if your role may. A server: the participant leaves.
    routes.delete('/rooms/:roomId/call/participants/:rawId', async (c) => {
      const context = c.get('request');
      const work = target(c).asyncAndThen(({ stream, rawId }) => {
        const principal = context.principal;
        if (principal.kind === 'server' || principal.caller.identityId === rawId) return service.leaveCall(stream, rawId, 'left', actorOf(context));
        return service.removeFromCall(stream, principal.caller.identityId, rawId, actorOf(context));
      });
      return answer(work, () => emptyResponse(204));
    });

    routes.get('/rooms/:roomId/call', async (c) => {
      const context = c.get('request');
      const work = roomStream(context, c.req.param('roomId')).asyncAndThen((stream) => visibleRoom(deps, context, stream));
      return answer(work, (room) => jsonResponse(200, callView(room)));
    });

    // Muting yourself needs no right; muting someone else is a presenter's. A server mutes anyone.
    routes.post('/rooms/:roomId/call/participants/:rawId/mute', async (c) => {
      const context = c.get('request');
      const work = target(c).asyncAndThen(({ stream, rawId }) => {
        const actor = context.principal.kind === 'user' ? context.principal.caller.identityId : rawId;
        return service.muteParticipant(stream, actor, rawId, actorOf(context));
      });
      return answer(work, () => emptyResponse(204));
    });

    routes.put('/rooms/:roomId/call/screenShare', async (c) => {
      const context = c.get('request');
      const work = actingMember(c).asyncAndThen(({ stream, participant }) =>
        service.startScreenShare(stream, participant, actorOf(context)).map(() => participant),
      );
      return answer(work, (participant) => jsonResponse(200, { id: participant, screenSharing: true }));
    });

    // A user stops their own share; a server stops whoever is sharing.
    routes.delete('/rooms/:roomId/call/screenShare', async (c) => {
      const context = c.get('request');
      const work = roomStream(context, c.req.param('roomId')).asyncAndThen((stream) => {
        const principal = context.principal;
        if (principal.kind === 'user') return service.stopScreenShare(stream, principal.caller.identityId, actorOf(context)).map(() => undefined);
        return visibleRoom(deps, context, stream).andThen((room) => {
          const sharer = room.call?.screenSharer ?? null;
          return sharer === null ? okAsync(undefined) : service.stopScreenShare(stream, sharer, actorOf(context)).map(() => undefined);
        });
      });
      return answer(work, () => emptyResponse(204));
    });

    routes.post('/rooms/:roomId/call/dialOut', async (c) => {
      const context = c.get('request');
      const work = roomStream(context, c.req.param('roomId'))
        .andThen((stream) =>
          optionalJsonBody(context, c.req.raw, validatorsFor(deps, context).dialOut).andThen((body) =>
            actingParticipant(context, body.id).andThen((participant) =>
              parsePhoneNumber(body.phoneNumber).map((phoneNumber) => ({ stream, participant, phoneNumber })),
            ),
          ),
        )
        .asyncAndThen(({ stream, participant, phoneNumber }) =>
          service.dialOutPstn(stream, participant, phoneNumber, actorOf(context)).map(() => ({ participant, phoneNumber })),
        );
      return answer(work, ({ participant, phoneNumber }) => jsonResponse(201, { phoneNumber, by: participant }));
    });

    return routes;
  },

  api: {
    schemas: {
      CallParticipant: {
        type: 'object',
        required: ['id', 'role', 'capabilities'],
        properties: {
          id: { type: 'string' },
          role: { type: 'string', enum: ['Presenter', 'Collaborator', 'Attendee', 'Consumer'] },
          capabilities: { type: 'array', items: { type: 'string' } },
          muted: { type: 'boolean' },
          screenSharing: { type: 'boolean' },
        },
      },
      Call: {
        type: 'object',
        required: ['active', 'participants'],
        properties: {
          active: { type: 'boolean' },
          startedAt: { type: 'string', format: 'date-time' },
          participants: { type: 'array', items: ref('CallParticipant') },
        },
      },
      CallMemberRequest: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'The participant (rawId), for servers signing with an access key; users act as themselves.' },
        },
        additionalProperties: false,
      },
      DialOutRequest: {
        type: 'object',
        required: ['phoneNumber'],
        properties: { phoneNumber: { type: 'string', description: 'E.164' }, id: { type: 'string' } },
        additionalProperties: false,
      },
    },
    paths: (() => {
      const participant = { name: 'rawId', in: 'path', required: true, schema: { type: 'string' }, description: 'A communication-user rawId.' };
      const security = [{ hmac: [] }, { accessToken: [] }];
      const refusals = {
        ...errors,
        403: {
          description: 'Refused: not on the roster (subCode 5828), outside the window (5829), a right the role lacks, the call full.',
          content: json(ref('CommunicationErrorResponse')),
        },
        404: { description: 'No such room (subCode 5732).', content: json(ref('CommunicationErrorResponse')) },
      };
      /** One call-API operation: either way of authenticating, the api-version and the room, the refusals every call route shares. */
      const operation = (
        operationId: string,
        description: string,
        parameters: readonly object[],
        responses: Record<number, object>,
        requestBody?: { required: boolean; schema: string },
      ) => ({
        operationId,
        description,
        security,
        parameters: [apiVersion, roomId, ...parameters],
        ...(requestBody === undefined ? {} : { requestBody: { required: requestBody.required, content: json(ref(requestBody.schema)) } }),
        responses: { ...responses, ...refusals },
      });
      const member = { required: false, schema: 'CallMemberRequest' };
      return {
        '/rooms/{roomId}/call': {
          get: operation(
            'Call_Get',
            'The room’s call: who is in it, with which role, rights and state. For servers, and for users on the roster.',
            [],
            {
              200: { description: 'The call.', content: json(ref('Call')) },
            },
          ),
        },
        '/rooms/{roomId}/call/participants': {
          post: operation(
            'Call_Join',
            'Join the call: checked against the roster, the window and the call size; the first join starts the call.',
            [],
            {
              201: { description: 'Joined, with the role and its capabilities.', content: json(ref('CallParticipant')) },
              200: { description: 'Already in the call: the same answer, nothing recorded.', content: json(ref('CallParticipant')) },
            },
            member,
          ),
        },
        '/rooms/{roomId}/call/participants/{rawId}': {
          delete: operation(
            'Call_Leave',
            'Yourself: leave. Someone else: remove them from the call (a role with removeParticipant). A server: the participant leaves.',
            [participant],
            { 204: { description: 'Done.' } },
          ),
        },
        '/rooms/{roomId}/call/participants/{rawId}/mute': {
          post: operation('Call_Mute', 'Mute yourself, or (a role with muteOthers) someone else.', [participant], { 204: { description: 'Muted.' } }),
        },
        '/rooms/{roomId}/call/screenShare': {
          put: operation(
            'Call_StartScreenShare',
            'Start sharing the screen (a role with shareScreen); one sharer at a time.',
            [],
            { 200: { description: 'Sharing.' } },
            member,
          ),
          delete: operation('Call_StopScreenShare', 'Stop sharing: your own share, or (a server) whoever shares.', [], {
            204: { description: 'Stopped.' },
          }),
        },
        '/rooms/{roomId}/call/dialOut': {
          post: operation(
            'Call_DialOut',
            'Dial a phone number into the call: the room must allow PSTN dial-out, and the role must grant it.',
            [],
            { 201: { description: 'Dialled.' } },
            { required: true, schema: 'DialOutRequest' },
          ),
        },
      };
    })(),
  },
};
