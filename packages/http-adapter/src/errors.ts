import type { UsherError } from '@usher/core';
import { type AcsError, acsError, badArguments, badRequest, notFound } from './acs-errors.js';
import { acsErrorResponse } from './responses.js';

/**
 * What the HTTP layer refuses before a request reaches the service: `HttpRefusal` is already in ACS's
 * words (authentication, body, content type, api-version, routing); a malformed repeatability header
 * is told apart because ACS marks it `Repeatability-Result: rejected`.
 */
export type HttpError =
  | { readonly type: 'HttpRefusal'; readonly acs: AcsError }
  | { readonly type: 'InvalidRepeatabilityHeader'; readonly header: string; readonly message: string };

/** Everything a route can fail with. */
export type ApiError = UsherError | HttpError;

export const refused = (acs: AcsError): HttpError => ({ type: 'HttpRefusal', acs });

/** Every failure in ACS's words (reference/acs-rooms.md §1.5): the one place where error types become statuses and texts. */
export function toAcsError(error: ApiError): AcsError {
  switch (error.type) {
    case 'HttpRefusal':
      return error.acs;
    case 'InvalidRepeatabilityHeader':
      return badRequest(error.message);
    case 'RepeatedRequestMismatch':
      return badRequest('The request does not match the earlier request with the same Repeatability-Request-ID.');
    case 'RepeatabilityWindowPassed':
      return acsError(412, 'PreconditionFailed', 'The Repeatability-First-Sent header is not within 5 minute window.');
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
    case 'Aborted':
      // Nobody reads this answer: the client has gone.
      return acsError(408, 'RequestTimeout', 'The request was abandoned before it completed.');
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

/** ACS answers `Repeatability-Result: rejected` when it refuses a request because of its repeatability. */
const REPEATABILITY_REJECTIONS: ReadonlySet<ApiError['type']> = new Set([
  'InvalidRepeatabilityHeader',
  'RepeatedRequestMismatch',
  'RepeatabilityWindowPassed',
]);

export function errorResponse(error: ApiError): Response {
  return acsErrorResponse(toAcsError(error), REPEATABILITY_REJECTIONS.has(error.type) ? { 'repeatability-result': 'rejected' } : {});
}
