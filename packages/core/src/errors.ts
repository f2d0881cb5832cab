import type { LeaveReason } from './events.js';
import type { ExpectedVersion } from './expected-version.js';
import type { IdentityError } from './identity.js';
import type { LogStreamKey, ParticipantId, RoomId } from './ids.js';
import type { Capability, Role } from './roles.js';
import type { ValidationError } from './validation-error.js';

/**
 * Every expected failure is a value of one of these unions, discriminated by `type`.
 * `message` is for humans; adapters map `type` (and `subcode`) to their own wire texts.
 */

export type WindowError =
  | { readonly type: 'ValidUntilInPast'; readonly field: 'validUntil'; readonly validUntil: string; readonly now: string; readonly message: string }
  | {
      readonly type: 'ValidFromTooFarAhead';
      readonly field: 'validFrom';
      readonly validFrom: string;
      readonly latest: string;
      readonly message: string;
    }
  | {
      readonly type: 'WindowInverted';
      readonly field: 'validUntil';
      readonly validFrom: string;
      readonly validUntil: string;
      readonly message: string;
    }
  | {
      readonly type: 'WindowTooLong';
      readonly field: 'validUntil';
      readonly validFrom: string;
      readonly validUntil: string;
      readonly maxDays: number;
      readonly message: string;
    };

/** ACS call-end subcodes, carried so that a calling adapter can answer as ACS does. */
export const SUBCODE = {
  roomNotFound: 5732,
  notInvited: 5828,
  roomNotValid: 5829,
  removedFromRoster: 5317,
} as const;

/** The ACS subcode a call participant's leaving carries, where ACS has one. */
export const LEAVE_SUBCODES: Readonly<Partial<Record<LeaveReason, number>>> = {
  removedFromRoster: SUBCODE.removedFromRoster,
};

export type RoomError =
  | WindowError
  | { readonly type: 'RoomAlreadyExists'; readonly roomId: RoomId; readonly message: string }
  | { readonly type: 'RoomNotFound'; readonly subcode: typeof SUBCODE.roomNotFound; readonly message: string }
  | { readonly type: 'RosterFull'; readonly limit: number; readonly requested: number; readonly message: string }
  | { readonly type: 'TooManyParticipantsInRequest'; readonly limit: number; readonly requested: number; readonly message: string }
  | { readonly type: 'DuplicateParticipantInRequest'; readonly participantId: ParticipantId; readonly message: string }
  | { readonly type: 'NotInvited'; readonly participantId: ParticipantId; readonly subcode: typeof SUBCODE.notInvited; readonly message: string }
  | { readonly type: 'RoomNotOpenYet'; readonly opensAt: string; readonly subcode: typeof SUBCODE.roomNotValid; readonly message: string }
  | { readonly type: 'RoomClosed'; readonly closedAt: string; readonly subcode: typeof SUBCODE.roomNotValid; readonly message: string }
  | { readonly type: 'CallFull'; readonly limit: number; readonly message: string }
  | { readonly type: 'NotInCall'; readonly participantId: ParticipantId; readonly message: string }
  | { readonly type: 'TargetNotInCall'; readonly participantId: ParticipantId; readonly message: string }
  | {
      readonly type: 'CapabilityDenied';
      readonly participantId: ParticipantId;
      readonly role: Role;
      readonly capability: Capability;
      readonly message: string;
    }
  | { readonly type: 'ScreenShareBusy'; readonly sharer: ParticipantId; readonly message: string }
  | { readonly type: 'PstnDialOutDisabled'; readonly message: string };

export interface ConcurrencyError {
  readonly type: 'Concurrency';
  readonly stream: LogStreamKey;
  readonly expected: ExpectedVersion;
  /** The stream's version when the append was refused; 0 for a stream that does not exist. */
  readonly actual: number;
  readonly message: string;
}

export type StoreError =
  | { readonly type: 'StoreFailure'; readonly message: string; readonly cause?: unknown }
  | { readonly type: 'EventIdConflict'; readonly eventId: string; readonly message: string };

/** A command on a room that does not exist, or no longer does (ACS: subcode 5732 when joining). */
export const ROOM_NOT_FOUND = {
  type: 'RoomNotFound',
  subcode: SUBCODE.roomNotFound,
  message: 'The room does not exist or has been deleted.',
} as const satisfies RoomError;

/**
 * What a repeated request (one that carries the request id of an earlier one) can run into; see
 * `createRoomOnce`. ACS answers these as "rejected".
 */
export type RepeatabilityError =
  | { readonly type: 'RepeatedRequestMismatch'; readonly requestId: string; readonly message: string }
  | {
      readonly type: 'RepeatabilityWindowPassed';
      readonly requestId: string;
      readonly firstSent: string;
      readonly now: string;
      readonly message: string;
    };

/** Work stopped because whoever asked for it no longer waits for it (an AbortSignal fired). */
export interface Aborted {
  readonly type: 'Aborted';
  readonly message: string;
}

export function aborted(message: string): Aborted {
  return { type: 'Aborted', message };
}

/** Why an access token does not let its bearer in. */
export type AccessError =
  | {
      readonly type: 'InvalidToken';
      readonly reason: 'malformed' | 'signature' | 'algorithm' | 'expired' | 'claims' | 'revoked' | 'unknownIdentity';
      readonly message: string;
    }
  | { readonly type: 'TokenScopeDenied'; readonly scopes: readonly string[]; readonly message: string }
  | { readonly type: 'TokensUnavailable'; readonly message: string };

export function invalidToken(reason: Extract<AccessError, { type: 'InvalidToken' }>['reason'], message: string): AccessError {
  return { type: 'InvalidToken', reason, message };
}

/** What managing a tenant's webhooks can run into. */
export type EventSubscriptionError =
  | { readonly type: 'InvalidEventSubscription'; readonly field: string; readonly message: string }
  | { readonly type: 'EndpointValidationFailed'; readonly message: string }
  | { readonly type: 'EventSubscriptionNotFound'; readonly name: string; readonly message: string }
  | { readonly type: 'WebhooksUnavailable'; readonly message: string };

export type UsherError =
  | ValidationError
  | RoomError
  | IdentityError
  | AccessError
  | RepeatabilityError
  | ConcurrencyError
  | StoreError
  | EventSubscriptionError
  | Aborted;

export function concurrencyError(stream: LogStreamKey, expected: ExpectedVersion, actual: number): ConcurrencyError {
  return {
    type: 'Concurrency',
    stream,
    expected,
    actual,
    message: `Room ${stream.roomId} of tenant ${stream.tenantId} is at version ${actual}; the append expected ${String(expected)}.`,
  };
}

export function storeFailure(message: string, cause?: unknown): StoreError {
  return cause === undefined ? { type: 'StoreFailure', message } : { type: 'StoreFailure', message, cause };
}
