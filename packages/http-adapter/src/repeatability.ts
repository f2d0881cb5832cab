import { err, ok, type Result } from 'neverthrow';
import type { HttpError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RepeatabilityHeaders {
  /** The id the request's first outcome is kept under, in a namespace of its own. */
  readonly requestId: string;
  readonly firstSent: Date;
}

const invalid = (header: string, message: string): HttpError => ({ type: 'InvalidRepeatabilityHeader', header, message });

/** Null when the request is not a repeatable one (reference/acs-rooms.md §1.6); the window itself is the service's rule. */
export function parseRepeatability(headers: Headers): Result<RepeatabilityHeaders | null, HttpError> {
  const id = headers.get('repeatability-request-id');
  const firstSent = headers.get('repeatability-first-sent');
  if (id === null && firstSent === null) return ok(null);
  if (id === null || !UUID.test(id)) return err(invalid('Repeatability-Request-ID', 'The Repeatability-Request-ID header must be a UUID.'));
  // RFC 1123 as the SDKs send it; the 2022 JS SDK sent ISO-8601, which Date.parse reads as well.
  const sentAt = firstSent === null ? Number.NaN : Date.parse(firstSent);
  if (Number.isNaN(sentAt)) return err(invalid('Repeatability-First-Sent', 'The Repeatability-First-Sent header must be an HTTP date.'));
  return ok({ requestId: `repeatability:${id.toLowerCase()}`, firstSent: new Date(sentAt) });
}
