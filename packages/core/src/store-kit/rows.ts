import type { EventMeta, StoredEvent } from '../envelope.js';
import type { RoomEvent } from '../events.js';
import type { ParticipantId, RoomId, StreamKey, TenantId } from '../ids.js';
import type { RoomListKey } from '../paging.js';
import type { DeadLetter, EventDeliverySchema, EventSubscription, ParticipantRecord, RequestRecord, RoomSummary, SigningKey } from '../ports.js';
import type { Role } from '../roles.js';

/** An event row as the SQL stores keep it (the same column names in SQLite and PostgreSQL); `J` is how JSON columns arrive. */
export interface EventRow<J> {
  readonly position: number;
  readonly tenant_id: string;
  readonly room_id: string;
  readonly version: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: J;
  readonly meta: J;
  readonly prev_hash: string;
  readonly hash: string;
}

export const EVENT_COLUMNS = 'position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash';

/** The log is trusted: what was appended through the core is read back as the event it was. */
export function eventFromRow<J>(row: EventRow<J>, readJson: (value: J) => unknown): StoredEvent {
  // One literal, no spread: a rebuild makes one of these per event of the log.
  return {
    position: row.position,
    tenantId: row.tenant_id,
    roomId: row.room_id,
    version: row.version,
    eventId: row.event_id,
    type: row.type as RoomEvent['type'],
    data: readJson(row.data),
    schemaVersion: row.schema_version,
    meta: readJson(row.meta) as EventMeta,
    prevHash: row.prev_hash,
    hash: row.hash,
  } as StoredEvent;
}

/** A room's summary row in the SQL stores' `streams` table. */
export interface RoomSummaryRow {
  readonly tenant_id: string;
  readonly room_id: string;
  readonly created_position: number;
  readonly created_at: string;
  readonly valid_from: string;
  readonly valid_until: string;
  /** SQLite has no booleans: 0 or 1 there. */
  readonly pstn_dial_out_enabled: boolean | number;
}

export const ROOM_SUMMARY_COLUMNS = 'tenant_id, room_id, created_position, created_at, valid_from, valid_until, pstn_dial_out_enabled';

export function summaryFromRow(row: RoomSummaryRow): RoomSummary {
  return {
    tenantId: row.tenant_id as TenantId,
    roomId: row.room_id as RoomId,
    createdAt: row.created_at,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    pstnDialOutEnabled: row.pstn_dial_out_enabled === true || row.pstn_dial_out_enabled === 1,
  };
}

/** A roster row: `seq` is the position of the event that added the participant, the keyset of the listing. */
export interface ParticipantRow {
  readonly participant_id: string;
  readonly role: string;
  readonly seq: number;
}

export function participantFromRow(row: ParticipantRow): ParticipantRecord {
  return { participantId: row.participant_id as ParticipantId, role: row.role as Role };
}

/** A request ledger row, looked up by tenant and request id. */
export interface RequestRow {
  readonly room_id: string;
  readonly from_version: number;
  readonly to_version: number;
  readonly at: string;
}

export function requestFromRow(tenantId: TenantId, requestId: string, row: RequestRow | undefined): RequestRecord | null {
  if (row === undefined) return null;
  return { tenantId, requestId, roomId: row.room_id as RoomId, fromVersion: row.from_version, toVersion: row.to_version, at: row.at };
}

/** The (created_at, room_id) a room listing page starts below: the first page below every room ('~' sorts after any ISO-8601 instant). */
export function roomListBound(after: RoomListKey | null): [createdAt: string, roomId: string] {
  return after === null ? ['~', ''] : [after.createdAt, after.roomId];
}

export function roomListKeyOf(row: RoomSummaryRow): RoomListKey {
  return { createdAt: row.created_at, roomId: row.room_id as RoomId };
}

/** A token signing key as the SQL stores keep it. */
export interface SigningKeyRow {
  readonly kid: string;
  readonly created_at: string;
  readonly private_jwk: string;
  readonly public_jwk: string;
}

export function signingKeyFromRow(row: SigningKeyRow): SigningKey {
  return { kid: row.kid, createdAt: row.created_at, privateJwk: row.private_jwk, publicJwk: row.public_jwk };
}

/** A room whose call ends at its `valid_until`. */
export interface ExpiryRow {
  readonly tenant_id: string;
  readonly room_id: string;
  readonly valid_until: string;
}

export function expiryFromRow(row: ExpiryRow): StreamKey {
  return { tenantId: row.tenant_id as TenantId, roomId: row.room_id as RoomId };
}

/** A subscription as the SQL stores' `event_subscriptions` table keeps it; `J` is how its JSON column arrives. */
export interface EventSubscriptionRow<J> {
  readonly tenant_id: string;
  readonly name: string;
  readonly endpoint_url: string;
  /** A JSON array of event types; NULL for every type. */
  readonly included_event_types: J | null;
  readonly event_delivery_schema: string;
  readonly secret: string | null;
  readonly created_at: string;
  readonly start_after: number;
}

export const EVENT_SUBSCRIPTION_COLUMNS =
  'tenant_id, name, endpoint_url, included_event_types, event_delivery_schema, secret, created_at, start_after';

export function eventSubscriptionFromRow<J>(row: EventSubscriptionRow<J>, readJson: (value: J) => unknown): EventSubscription {
  return {
    tenantId: row.tenant_id as TenantId,
    name: row.name,
    endpointUrl: row.endpoint_url,
    includedEventTypes: row.included_event_types === null ? null : (readJson(row.included_event_types) as string[]),
    eventDeliverySchema: row.event_delivery_schema as EventDeliverySchema,
    secret: row.secret,
    createdAt: row.created_at,
    startAfter: row.start_after,
  };
}

/** A letter as the SQL stores' `dead_letters` table keeps it; `J` is how its JSON column arrives. */
export interface DeadLetterRow<J> {
  readonly tenant_id: string;
  readonly subscription: string;
  readonly event_id: string;
  readonly position: number;
  readonly event_type: string;
  readonly event: J;
  readonly attempts: number;
  readonly last_error: string;
  readonly dead_lettered_at: string;
  /** SQLite has no booleans: 0 or 1 there. */
  readonly queued: boolean | number;
}

export const DEAD_LETTER_COLUMNS = 'tenant_id, subscription, event_id, position, event_type, event, attempts, last_error, dead_lettered_at, queued';

export function deadLetterFromRow<J>(row: DeadLetterRow<J>, readJson: (value: J) => unknown): DeadLetter {
  return {
    tenantId: row.tenant_id as TenantId,
    subscription: row.subscription,
    eventId: row.event_id,
    position: row.position,
    eventType: row.event_type,
    event: readJson(row.event) as Record<string, unknown>,
    attempts: row.attempts,
    lastError: row.last_error,
    deadLetteredAt: row.dead_lettered_at,
    queued: Boolean(row.queued),
  };
}
