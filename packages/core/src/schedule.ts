import { addMilliseconds, differenceInMilliseconds, isValid, parseISO } from 'date-fns';
import { err, ok, type Result } from 'neverthrow';
import { type RoomError, SUBCODE, type WindowError } from './errors.js';
import type { ValidationError } from './validation-error.js';

/** ACS: a room is valid for at most 180 days and may open at most 180 days ahead. */
export const MAX_WINDOW_DAYS = 180;
/** Exactly 180 × 24 hours, as ACS computes it (to the tick), never calendar days that bend around DST. */
export const MAX_WINDOW_MS = MAX_WINDOW_DAYS * 24 * 60 * 60 * 1000;

export interface Window {
  readonly validFrom: Date;
  readonly validUntil: Date;
}

export interface WindowRequest {
  readonly validFrom?: Date | undefined;
  readonly validUntil?: Date | undefined;
}

/**
 * The window a create (no `current`) or an update (`current` set) asks for, with ACS's defaults,
 * checked in ACS's order: an end in the past wins over everything else.
 */
export function resolveWindow(request: WindowRequest, now: Date, current?: Window): Result<Window, WindowError> {
  const validFrom = request.validFrom ?? current?.validFrom ?? now;
  const validUntil = request.validUntil ?? current?.validUntil ?? addMilliseconds(validFrom, MAX_WINDOW_MS);
  const iso = { validFrom: validFrom.toISOString(), validUntil: validUntil.toISOString() };
  if (validUntil.getTime() <= now.getTime()) {
    return err({
      type: 'ValidUntilInPast',
      field: 'validUntil',
      validUntil: iso.validUntil,
      now: now.toISOString(),
      message: `validUntil ${iso.validUntil} is not after the current time ${now.toISOString()}.`,
    });
  }
  const latestStart = addMilliseconds(now, MAX_WINDOW_MS);
  if (validFrom.getTime() > latestStart.getTime()) {
    return err({
      type: 'ValidFromTooFarAhead',
      field: 'validFrom',
      validFrom: iso.validFrom,
      latest: latestStart.toISOString(),
      message: `validFrom ${iso.validFrom} is more than ${MAX_WINDOW_DAYS} days ahead (latest ${latestStart.toISOString()}).`,
    });
  }
  if (validFrom.getTime() >= validUntil.getTime()) {
    return err({
      type: 'WindowInverted',
      field: 'validUntil',
      ...iso,
      message: `validUntil ${iso.validUntil} must be after validFrom ${iso.validFrom}.`,
    });
  }
  if (differenceInMilliseconds(validUntil, validFrom) > MAX_WINDOW_MS) {
    return err({
      type: 'WindowTooLong',
      field: 'validUntil',
      ...iso,
      maxDays: MAX_WINDOW_DAYS,
      message: `The window from ${iso.validFrom} to ${iso.validUntil} is longer than ${MAX_WINDOW_DAYS} days.`,
    });
  }
  return ok({ validFrom, validUntil });
}

/** Joining is allowed in the half-open interval [validFrom, validUntil). */
export function checkOpen(window: { readonly validFrom: string; readonly validUntil: string }, now: Date): Result<void, RoomError> {
  const at = now.getTime();
  if (at < Date.parse(window.validFrom)) {
    return err({
      type: 'RoomNotOpenYet',
      opensAt: window.validFrom,
      subcode: SUBCODE.roomNotValid,
      message: `The room opens for joining at ${window.validFrom}.`,
    });
  }
  if (at >= Date.parse(window.validUntil)) {
    return err({
      type: 'RoomClosed',
      closedAt: window.validUntil,
      subcode: SUBCODE.roomNotValid,
      message: `The room closed for joining at ${window.validUntil}.`,
    });
  }
  return ok(undefined);
}

export function hasPassed(instant: string, now: Date): boolean {
  return now.getTime() >= Date.parse(instant);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 instant with an explicit offset; a local time without one is refused, as it names no instant. */
export function parseTimestamp(value: unknown, field: string): Result<Date, ValidationError> {
  if (typeof value === 'string' && ISO_INSTANT.test(value)) {
    const date = parseISO(value);
    if (isValid(date)) return ok(date);
  }
  return err({
    type: 'InvalidTimestamp',
    field,
    value: String(value),
    message: `${field} must be an ISO-8601 date-time with an offset, such as 2024-01-04T13:46:18Z.`,
  });
}
