import {
  type ParticipantEntry,
  type ParticipantId,
  parseParticipantId,
  parseRole,
  parseRoomId,
  parseTimestamp,
  type Role,
  type StreamKey,
  type UsherError,
} from '@usher/core';
import { err, ok, Result } from 'neverthrow';
import { badArguments, badRequest } from './acs-errors.js';
import type { VersionShape } from './api-versions.js';
import type { RequestContext } from './context.js';
import { type HttpError, refused } from './errors.js';
import type { CreateRoomBody, UpdateParticipantsBody, UpdateRoomBody } from './schemas.js';

/** ACS's text for a role it cannot read (E9): the model binder's, naming the JSON path of the role. */
function unknownRole(dto: string, rawId: string, shape: VersionShape): HttpError {
  const path = `$.participants.${rawId}.role`;
  const contract = `V${shape.version.replaceAll('-', '_').replace('_preview', '_Preview')}`;
  return refused(
    badArguments([
      { code: 'BadArgument', message: `The ${dto} field is required.`, target: dto },
      {
        code: 'BadArgument',
        message: `The JSON value could not be converted to Microsoft.AzureCommunicationService.Rooms.Api.Contracts.${contract}.RoleDto. Path: ${path}.`,
        target: path,
      },
    ]),
  );
}

function roleFor(value: string | null | undefined, dto: string, rawId: string, shape: VersionShape): Result<Role, HttpError> {
  if (value === null || value === undefined) return ok('Attendee');
  const role = parseRole(value);
  if (role.isErr() || (role.value === 'Collaborator' && !shape.collaborator)) return err(unknownRole(dto, rawId, shape));
  return ok(role.value);
}

function instant(value: string | null | undefined, field: 'ValidFrom' | 'ValidUntil'): Result<Date | undefined, HttpError> {
  if (value === null || value === undefined) return ok(undefined);
  return parseTimestamp(value, field)
    .map((date): Date | undefined => date)
    .mapErr((error) => refused(badArguments([{ code: 'BadArgument', message: error.message, target: field }])));
}

export interface RoomWindowInput {
  readonly validFrom: Date | undefined;
  readonly validUntil: Date | undefined;
  readonly pstnDialOutEnabled: boolean | undefined;
}

function windowInput(body: UpdateRoomBody): Result<RoomWindowInput, HttpError> {
  return Result.combine([instant(body.validFrom, 'ValidFrom'), instant(body.validUntil, 'ValidUntil')]).map(([validFrom, validUntil]) => ({
    validFrom,
    validUntil,
    pstnDialOutEnabled: body.pstnDialOutEnabled ?? undefined,
  }));
}

export function createRoomInput(
  body: CreateRoomBody,
  shape: VersionShape,
): Result<RoomWindowInput & { participants: ParticipantEntry[] }, HttpError> {
  const participants: ParticipantEntry[] = [];
  for (const [rawId, properties] of Object.entries(body.participants ?? {})) {
    const id = parseParticipantId(rawId);
    if (id.isErr()) return err(refused(badRequest('Invalid format for communication identifier.')));
    const role = roleFor(properties.role, 'createRoomRequestDto', rawId, shape);
    if (role.isErr()) return err(role.error);
    participants.push({ id: id.value, role: role.value });
  }
  return windowInput(body).map((window) => ({ ...window, participants, expiryPolicy: body.expiryPolicy ?? undefined }));
}

export const updateRoomInput = windowInput;

export function updateParticipantsInput(
  body: UpdateParticipantsBody,
  shape: VersionShape,
): Result<{ upsert: ParticipantEntry[]; remove: ParticipantId[] }, HttpError> {
  const upsert: ParticipantEntry[] = [];
  const remove: ParticipantId[] = [];
  for (const [rawId, properties] of Object.entries(body.participants ?? {})) {
    const id = parseParticipantId(rawId);
    if (id.isErr()) return err(refused(badRequest('Invalid value for the Participants.')));
    if (properties === null) {
      remove.push(id.value);
      continue;
    }
    const role = roleFor(properties.role, 'updateParticipantsRequestDto', rawId, shape);
    if (role.isErr()) return err(role.error);
    upsert.push({ id: id.value, role: role.value });
  }
  return ok({ upsert, remove });
}

/** The room a path names, in the caller's tenant: other tenants' rooms are out of reach by construction. */
export function roomStream(context: RequestContext, roomId: string): Result<StreamKey, UsherError> {
  return parseRoomId(roomId).map((id) => ({ tenantId: context.tenantId, roomId: id }));
}
