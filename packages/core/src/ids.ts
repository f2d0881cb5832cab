import { err, ok, type Result } from 'neverthrow';
import type { ValidationError } from './validation-error.js';

declare const brand: unique symbol;
/** A string that has passed its parser; the brand keeps unparsed strings out of the domain. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type TenantId = Brand<string, 'TenantId'>;
export type RoomId = Brand<string, 'RoomId'>;
export type ParticipantId = Brand<string, 'ParticipantId'>;
export type EventId = Brand<string, 'EventId'>;
/** An E.164 number such as +14255550123, the target of a PSTN dial-out. */
export type PhoneNumber = Brand<string, 'PhoneNumber'>;

/** The stream of one room: rooms are owned by a tenant, so a room id alone names nothing. */
export interface StreamKey {
  readonly tenantId: TenantId;
  readonly roomId: RoomId;
}

/**
 * The key of any stream of the log: a room's (`StreamKey`), or an identity's, whose `roomId` holds
 * the identity's raw id (see `ChainedEvent.roomId`).
 */
export interface LogStreamKey {
  readonly tenantId: TenantId;
  readonly roomId: RoomId | ParticipantId;
}

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ROOM_ID_MIN_LENGTH = 16;
export const ROOM_ID_MAX_LENGTH = 18;
const DIGITS = /^[0-9]+$/;
/** Communication-user rawIds, the only identifiers a roster may hold (ACS: PSTN users are never roster members). */
const PARTICIPANT_ID = /^8:(acs|spool|dod-acs|gcch-acs):[0-9A-Za-z][0-9A-Za-z._-]{0,255}$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A parser for ids that are one regular expression: the brand on a match, the named error otherwise. */
function patternParser<T extends string>(pattern: RegExp, type: ValidationError['type'], field: string, message: string) {
  return (value: unknown): Result<T, ValidationError> =>
    typeof value === 'string' && pattern.test(value) ? ok(value as T) : err({ type, field, value: String(value), message });
}

export const parseTenantId = patternParser<TenantId>(
  TENANT_ID,
  'InvalidTenantId',
  'tenantId',
  'A tenant id is 1 to 64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit.',
);

/** ACS checks the length before the characters: `123` is "Invalid room ID length.", `non-existingroomId` is "Invalid room ID.". */
export function parseRoomId(value: unknown): Result<RoomId, ValidationError> {
  const text = typeof value === 'string' ? value : String(value);
  if (typeof value !== 'string' || text.length < ROOM_ID_MIN_LENGTH || text.length > ROOM_ID_MAX_LENGTH) {
    return err({
      type: 'InvalidRoomIdLength',
      field: 'roomId',
      value: text,
      message: `A room id is ${ROOM_ID_MIN_LENGTH} to ${ROOM_ID_MAX_LENGTH} digits long; got ${text.length} characters.`,
    });
  }
  if (!DIGITS.test(text)) {
    return err({
      type: 'InvalidRoomIdFormat',
      field: 'roomId',
      value: text,
      message: 'A room id is made of decimal digits only.',
    });
  }
  return ok(text as RoomId);
}

export const parseParticipantId = patternParser<ParticipantId>(
  PARTICIPANT_ID,
  'InvalidParticipantId',
  'participantId',
  'A participant id is a communication-user rawId such as "8:acs:<resource>_<user>" (prefixes 8:acs:, 8:spool:, 8:dod-acs:, 8:gcch-acs:).',
);

export const parseEventId = patternParser<EventId>(ULID, 'InvalidEventId', 'eventId', 'An event id is a ULID: 26 characters of Crockford base32.');

export function streamKey(tenantId: TenantId, roomId: RoomId): StreamKey {
  return { tenantId, roomId };
}

export const parsePhoneNumber = patternParser<PhoneNumber>(
  E164,
  'InvalidPhoneNumber',
  'number',
  'A phone number is in E.164 form: "+", a country code and up to 15 digits in all.',
);
