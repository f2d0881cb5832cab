import { createHash } from 'node:crypto';
import type { RoomId } from '@usher/core';
import { err, ok, type Result } from 'neverthrow';
import { type AcsError, acsError, badRequest } from './acs-errors.js';

/** ACS tracks a repeatable request for 5 minutes after its Repeatability-First-Sent (reference/acs-rooms.md §1.6). */
export const REPEATABILITY_WINDOW_MS = 5 * 60 * 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Repeatability {
  readonly requestId: string;
}

const rejected = (error: AcsError) => ({ ...error, rejected: true as const });

/** Null when the request is not a repeatable one; otherwise the id under which its first outcome is kept. */
export function parseRepeatability(headers: Headers, now: Date): Result<Repeatability | null, AcsError & { rejected: true }> {
  const id = headers.get('repeatability-request-id');
  const firstSent = headers.get('repeatability-first-sent');
  if (id === null && firstSent === null) return ok(null);
  if (id === null || !UUID.test(id)) return err(rejected(badRequest('The Repeatability-Request-ID header must be a UUID.')));
  // RFC 1123 as the SDKs send it; the 2022 JS SDK sent ISO-8601, which Date.parse reads as well.
  const sentAt = firstSent === null ? Number.NaN : Date.parse(firstSent);
  if (Number.isNaN(sentAt)) return err(rejected(badRequest('The Repeatability-First-Sent header must be an HTTP date.')));
  if (Math.abs(now.getTime() - sentAt) > REPEATABILITY_WINDOW_MS) {
    return err(rejected(acsError(412, 'PreconditionFailed', 'The Repeatability-First-Sent header is not within 5 minute window.')));
  }
  return ok({ requestId: `repeatability:${id.toLowerCase()}` });
}

/** A 17-digit, ACS-shaped room id that is a function of the tenant and the repeatable request's id. */
export function repeatableRoomId(tenantId: string, requestId: string): RoomId {
  const digest = createHash('sha256').update(`${tenantId}\u0000${requestId}`).digest();
  return `99${(digest.readBigUInt64BE() % 10n ** 15n).toString().padStart(15, '0')}` as RoomId;
}
