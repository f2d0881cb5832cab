import { Ajv, type ErrorObject, type JSONSchemaType } from 'ajv';
import { err, ok, type Result } from 'neverthrow';
import { badArguments } from './acs-errors.js';
import type { VersionShape } from './api-versions.js';
import { type HttpError, refused } from './errors.js';

export interface CreateRoomBody {
  validFrom?: string | null;
  validUntil?: string | null;
  pstnDialOutEnabled?: boolean;
  participants?: Record<string, { role?: string | null }>;
  /** Usher extension: what happens to a running call at validUntil. */
  expiryPolicy?: 'blockJoins' | 'endCall' | null;
}

/** POST /identities (the Identity API). */
export interface CreateIdentityBody {
  createTokenWithScopes?: string[] | null;
  expiresInMinutes?: number | null;
}

/** POST /identities/{id}/:issueAccessToken. */
export interface IssueAccessTokenBody {
  scopes: string[];
  expiresInMinutes?: number | null;
}

/** PUT /eventSubscriptions/{name}. */
export interface PutEventSubscriptionBody {
  endpointUrl: string;
  includedEventTypes?: string[] | null;
  eventDeliverySchema?: 'EventGridSchema' | 'CloudEventSchemaV1_0' | null;
  secret?: string | null;
}

/** The call API's bodies: who acts (servers name the participant; users are who their token says) and what. */
export interface CallMemberBody {
  id?: string;
}

export interface DialOutBody {
  phoneNumber: string;
  id?: string;
}

export interface UpdateRoomBody {
  validFrom?: string | null;
  validUntil?: string | null;
  pstnDialOutEnabled?: boolean;
}

export interface UpdateParticipantsBody {
  participants?: Record<string, { role?: string | null } | null>;
}

const instant = { type: 'string', nullable: true, description: 'ISO-8601 date-time with an offset' } as const;
const participantProperties = {
  type: 'object',
  properties: {
    role: { type: 'string', nullable: true, description: 'Presenter, Attendee (default) or Consumer; Collaborator from 2025-02-28-preview' },
  },
  required: [],
  additionalProperties: false,
} as const;

/** JSON Schemas of the request bodies per wire shape: the validators and the OpenAPI document both use them. */
export function bodySchemas(shape: VersionShape) {
  const pstn = shape.pstnDialOut ? { pstnDialOutEnabled: { type: 'boolean', nullable: true } } : {};
  const createRoom = {
    type: 'object',
    properties: {
      validFrom: instant,
      validUntil: instant,
      ...pstn,
      participants: { type: 'object', nullable: true, required: [], additionalProperties: participantProperties },
      expiryPolicy: {
        type: 'string',
        nullable: true,
        enum: ['blockJoins', 'endCall'],
        description: 'Usher extension: blockJoins (default: the call goes on after validUntil) or endCall (the call ends at validUntil).',
      },
    },
    required: [],
    additionalProperties: false,
  } as unknown as JSONSchemaType<CreateRoomBody>;
  const updateRoom = {
    type: 'object',
    properties: { validFrom: instant, validUntil: instant, ...pstn },
    required: [],
    additionalProperties: false,
  } as unknown as JSONSchemaType<UpdateRoomBody>;
  const updateParticipants = {
    type: 'object',
    properties: {
      participants: { type: 'object', nullable: true, required: [], additionalProperties: { ...participantProperties, nullable: true } },
    },
    required: [],
    additionalProperties: false,
  } as unknown as JSONSchemaType<UpdateParticipantsBody>;
  const strings = { type: 'array', items: { type: 'string' } } as const;
  const minutes = { type: 'integer', nullable: true, description: 'Token lifetime, 60 to 1440 minutes (default 1440).' } as const;
  const createIdentity = {
    type: 'object',
    properties: { createTokenWithScopes: { ...strings, nullable: true }, expiresInMinutes: minutes },
    required: [],
    additionalProperties: false,
  } as unknown as JSONSchemaType<CreateIdentityBody>;
  const issueAccessToken = {
    type: 'object',
    properties: { scopes: strings, expiresInMinutes: minutes },
    required: ['scopes'],
    additionalProperties: false,
  } as unknown as JSONSchemaType<IssueAccessTokenBody>;
  const callMember = {
    type: 'object',
    properties: { id: { type: 'string', description: 'The participant, for servers (HMAC); users act as themselves.' } },
    required: [],
    additionalProperties: false,
  } as unknown as JSONSchemaType<CallMemberBody>;
  const dialOut = {
    type: 'object',
    properties: { phoneNumber: { type: 'string', description: 'E.164, e.g. +14255550123' }, id: callMember.properties.id },
    required: ['phoneNumber'],
    additionalProperties: false,
  } as unknown as JSONSchemaType<DialOutBody>;
  const putEventSubscription = {
    type: 'object',
    properties: {
      endpointUrl: { type: 'string', description: 'http or https; validated by the Event Grid handshake before the subscription is made' },
      includedEventTypes: { ...strings, nullable: true, description: 'The event types delivered; every type when left out' },
      eventDeliverySchema: { type: 'string', enum: ['EventGridSchema', 'CloudEventSchemaV1_0'], nullable: true },
      secret: { type: 'string', nullable: true, description: 'Standard Webhooks secret (whsec_…) deliveries are signed with; never shown again' },
    },
    required: ['endpointUrl'],
    additionalProperties: false,
  } as unknown as JSONSchemaType<PutEventSubscriptionBody>;
  return { createRoom, updateRoom, updateParticipants, createIdentity, issueAccessToken, callMember, dialOut, putEventSubscription };
}

function describe(errors: readonly ErrorObject[] | null | undefined): HttpError {
  return refused(
    badArguments(
      (errors ?? []).map((error) => {
        const target = `$${error.instancePath.replaceAll('/', '.')}`;
        const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
        return { code: 'BadArgument', message: `${target} ${error.message ?? 'is invalid'}${extra}.`, target };
      }),
    ),
  );
}

export type BodyValidator<T> = (value: unknown) => Result<T, HttpError>;

export function createValidators(shape: VersionShape) {
  const ajv = new Ajv({ allErrors: false, strict: true });
  const schemas = bodySchemas(shape);
  const validator = <T>(schema: JSONSchemaType<T>): BodyValidator<T> => {
    const validate = ajv.compile(schema);
    return (value) => (validate(value) ? ok(value) : err(describe(validate.errors)));
  };
  return {
    createRoom: validator(schemas.createRoom),
    updateRoom: validator(schemas.updateRoom),
    updateParticipants: validator(schemas.updateParticipants),
    createIdentity: validator(schemas.createIdentity),
    issueAccessToken: validator(schemas.issueAccessToken),
    callMember: validator(schemas.callMember),
    dialOut: validator(schemas.dialOut),
    putEventSubscription: validator(schemas.putEventSubscription),
  };
}

export type Validators = ReturnType<typeof createValidators>;
