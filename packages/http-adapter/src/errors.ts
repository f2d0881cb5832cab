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
  | { readonly type: 'Throttled'; readonly retryAfterSeconds: number; readonly message: string }
  | { readonly type: 'InvalidRepeatabilityHeader'; readonly header: string; readonly message: string };

/** Everything a route can fail with. */
export type ApiError = UsherError | HttpError;

export const refused = (acs: AcsError): HttpError => ({ type: 'HttpRefusal', acs });

/**
 * Which API answers: the Rooms and Identity REST APIs answer as ACS's do; the call API (what ACS
 * leaves to its Calling SDK) refuses with the calling subcodes in `error.subCode`.
 */
export type Surface = 'rest' | 'call';

/** A refusal of the call API: the room's rules, in the status a caller acts on, with ACS's subcode where it has one. */
function callRefusal(error: UsherError): AcsError | null {
  const subCode = 'subcode' in error && typeof error.subcode === 'number' ? { subCode: error.subcode } : {};
  switch (error.type) {
    case 'RoomNotFound':
      return acsError(404, 'RoomNotFound', error.message, subCode);
    case 'NotInvited':
      return acsError(403, 'NotInvited', error.message, subCode);
    case 'RoomNotOpenYet':
    case 'RoomClosed':
      return acsError(403, 'RoomNotValid', error.message, subCode);
    case 'CapabilityDenied':
      return acsError(403, 'CapabilityDenied', error.message);
    case 'CallFull':
      return acsError(403, 'CallFull', error.message);
    case 'NotInCall':
      return acsError(403, 'NotInCall', error.message);
    case 'TargetNotInCall':
      return acsError(404, 'ParticipantNotInCall', error.message);
    case 'ScreenShareBusy':
      return acsError(409, 'ScreenShareBusy', error.message);
    case 'PstnDialOutDisabled':
      return acsError(403, 'PstnDialOutDisabled', error.message);
    default:
      return null;
  }
}

/** Every failure in ACS's words (reference/acs-rooms.md §1.5): the one place where error types become statuses and texts. */
export function toAcsError(error: ApiError, surface: Surface = 'rest'): AcsError {
  if (surface === 'call' && error.type !== 'HttpRefusal' && error.type !== 'InvalidRepeatabilityHeader' && error.type !== 'Throttled') {
    const refusal = callRefusal(error);
    if (refusal !== null) return refusal;
  }
  switch (error.type) {
    case 'HttpRefusal':
      return error.acs;
    case 'InvalidRepeatabilityHeader':
      return badRequest(error.message);
    case 'Throttled':
      return acsError(429, 'TooManyRequests', error.message);
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
    case 'IdentityNotFound':
      return acsError(404, 'IdentityNotFound', error.message);
    case 'IdentityAlreadyExists':
      return acsError(409, 'Conflict', error.message);
    case 'InvalidToken':
      return acsError(401, 'InvalidAccessToken', error.message);
    case 'TokenScopeDenied':
      return acsError(403, 'Forbidden', error.message);
    case 'TokensUnavailable':
    case 'WebhooksUnavailable':
      return acsError(503, 'ServiceUnavailable', error.message);
    case 'InvalidEventSubscription':
      return badArguments([{ code: 'BadArgument', message: error.message, target: error.field }]);
    case 'EndpointValidationFailed':
      return acsError(400, 'EndpointValidationFailed', error.message);
    case 'EventSubscriptionNotFound':
      return acsError(404, 'NotFound', error.message);
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
    case 'InvalidScope':
    case 'InvalidTokenLifetime':
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

export function errorResponse(error: ApiError, surface: Surface = 'rest'): Response {
  const headers: Record<string, string> = REPEATABILITY_REJECTIONS.has(error.type) ? { 'repeatability-result': 'rejected' } : {};
  // The SDKs' retry policy waits as long as Retry-After says.
  if (error.type === 'Throttled') headers['retry-after'] = String(error.retryAfterSeconds);
  return acsErrorResponse(toAcsError(error, surface), headers);
}
