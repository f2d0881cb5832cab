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
  return { createRoom, updateRoom, updateParticipants };
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
  };
}

export type Validators = ReturnType<typeof createValidators>;
