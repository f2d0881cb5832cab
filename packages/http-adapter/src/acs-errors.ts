import type { UsherError } from '@usher/core';

/** The ACS error body (`CommunicationErrorResponse`), with the status it travels with. */
export interface AcsErrorDetail {
  readonly code: string;
  readonly message: string;
  readonly target?: string;
}

export interface AcsError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly target?: string;
  readonly details?: readonly AcsErrorDetail[];
}

export const MALFORMED = 'The request could not be understood by the server due to malformed syntax.';

export const acsError = (status: number, code: string, message: string, extra: Partial<Pick<AcsError, 'target' | 'details'>> = {}): AcsError => ({
  status,
  code,
  message,
  ...extra,
});

/** ACS's model-validation envelope: a generic 400 whose details say what is wrong. */
export const badArguments = (details: readonly AcsErrorDetail[]): AcsError => acsError(400, 'BadRequest', MALFORMED, { details });
export const badRequest = (message: string): AcsError => acsError(400, 'BadRequest', message);
export const notFound = (): AcsError => acsError(404, 'NotFound', 'The server cannot find the requested resource.');
export const denied = (message: string): AcsError => acsError(401, 'Denied', message);

export function errorBody(error: AcsError) {
  const { status: _status, ...body } = error;
  return { error: body };
}

/** Domain and store errors in ACS's words (reference/acs-rooms.md §1.5); `participantsError` is E7 on create, E8 on PATCH. */
export function fromUsherError(error: UsherError): AcsError {
  switch (error.type) {
    case 'InvalidRoomIdLength':
      return badRequest('Invalid room ID length.');
    case 'InvalidRoomIdFormat':
      return badRequest('Invalid room ID.');
    case 'RoomNotFound':
      return notFound();
    case 'ValidUntilInPast':
      return badArguments([{ code: 'BadArgument', message: 'The time range end is in the past.', target: 'ValidUntil' }]);
    case 'WindowInverted':
    case 'WindowTooLong':
      return badArguments([{ code: 'BadArgument', message: 'The time range is incorrect, or larger than 180 days.', target: 'ValidUntil' }]);
    case 'ValidFromTooFarAhead':
      return badArguments([{ code: 'BadArgument', message: 'Value is incorrect or more than 180 days in the future.', target: 'ValidFrom' }]);
    case 'RosterFull':
    case 'TooManyParticipantsInRequest':
    case 'DuplicateParticipantInRequest':
      return badArguments([{ code: 'BadArgument', message: error.message, target: 'participants' }]);
    case 'Concurrency':
      return acsError(409, 'Conflict', 'The room was changed by other requests while this one was applied; retry the request.');
    case 'StoreFailure':
      return acsError(503, 'ServiceUnavailable', 'The room store is unavailable; retry the request later.');
    case 'EventIdConflict':
      return acsError(500, 'InternalError', 'The request could not be stored.');
    case 'RoomAlreadyExists':
      return acsError(409, 'Conflict', error.message);
    case 'InvalidTenantId':
    case 'InvalidParticipantId':
    case 'InvalidEventId':
    case 'InvalidRole':
    case 'InvalidTimestamp':
    case 'InvalidPhoneNumber':
    case 'InvalidPageToken':
    case 'InvalidPageSize':
      return badArguments([{ code: 'BadArgument', message: error.message, target: error.field }]);
    default:
      // Call-time refusals are not answered by the Rooms REST surface.
      return acsError(409, 'Conflict', error.message);
  }
}
