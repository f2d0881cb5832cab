import {
  CAPABILITIES,
  CAPABILITY_TABLE,
  can,
  capabilitiesOf,
  decodePageToken,
  encodePageToken,
  historyKeys,
  MAX_VERSION,
  type PageKeys,
  parseEventId,
  parsePageRequest,
  parseParticipantId,
  parsePhoneNumber,
  parseRole,
  parseRoomId,
  parseTenantId,
  parseTimestamp,
  ROLES,
  roomListKeys,
  rosterKeys,
} from '@usher/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty, numRuns } from '../support/fast-check.js';

describe('room ids (ACS checks length before characters)', () => {
  it.each(['1234567890123456', '12345678901234567', '123456789012345678'])('accepts %s', (id) => {
    expect(parseRoomId(id).isOk()).toBe(true);
  });
  it.each(['123', '123456789012345', '1234567890123456789', ''])('refuses %s as a length error', (id) => {
    expect(parseRoomId(id)._unsafeUnwrapErr()).toMatchObject({ type: 'InvalidRoomIdLength', field: 'roomId' });
  });
  it.each(['non-existingroomId', '12345678901234567a', '１２３４５６７８９０１２３４５６'])('refuses %s as a format error', (id) => {
    expect(parseRoomId(id)._unsafeUnwrapErr()).toMatchObject({ type: 'InvalidRoomIdFormat', field: 'roomId' });
  });
  it('refuses a number', () => {
    expect(parseRoomId(1234567890123456)._unsafeUnwrapErr().type).toBe('InvalidRoomIdLength');
  });
});

describe('participant ids', () => {
  it.each(['8:acs:res_user', '8:spool:abc', '8:dod-acs:x-1', '8:gcch-acs:a.b'])('accepts %s', (id) => {
    expect(parseParticipantId(id).isOk()).toBe(true);
  });
  it.each(['4:+14255550123', '8:teamsvisitor:x', 'acs:user', '8:acs:', '8:acs:a b', '', `8:acs:${'x'.repeat(257)}`])('refuses %s', (id) => {
    expect(parseParticipantId(id)._unsafeUnwrapErr()).toMatchObject({ type: 'InvalidParticipantId', field: 'participantId' });
  });
});

describe('other ids', () => {
  it('tenant ids', () => {
    expect(parseTenantId('contoso').isOk()).toBe(true);
    expect(parseTenantId('-bad')._unsafeUnwrapErr().type).toBe('InvalidTenantId');
    expect(parseTenantId('x'.repeat(65)).isErr()).toBe(true);
  });
  it('event ids are ULIDs', () => {
    expect(parseEventId('01ARZ3NDEKTSV4RRFFQ69G5FAV').isOk()).toBe(true);
    expect(parseEventId('01ARZ3NDEKTSV4RRFFQ69G5FAU0')._unsafeUnwrapErr().type).toBe('InvalidEventId');
    expect(parseEventId('01ARZ3NDEKTSV4RRFFQ69G5FAI').isErr()).toBe(true);
  });
  it('phone numbers are E.164', () => {
    expect(parsePhoneNumber('+14255550123').isOk()).toBe(true);
    expect(parsePhoneNumber('4255550123')._unsafeUnwrapErr().type).toBe('InvalidPhoneNumber');
  });
  it('timestamps need an offset', () => {
    expect(parseTimestamp('2024-01-04T13:46:18Z', 'validFrom')._unsafeUnwrap().toISOString()).toBe('2024-01-04T13:46:18.000Z');
    expect(parseTimestamp('2024-01-04T13:46:18+02:00', 'validFrom')._unsafeUnwrap().toISOString()).toBe('2024-01-04T11:46:18.000Z');
    expect(parseTimestamp('2024-01-04T13:46:18', 'validUntil')._unsafeUnwrapErr()).toMatchObject({ type: 'InvalidTimestamp', field: 'validUntil' });
    expect(parseTimestamp('2024-02-30T13:46:18Z', 'validFrom').isErr()).toBe(true);
  });
});

describe('roles and capabilities (reference §4.1)', () => {
  it('parses the four roles, case-sensitively', () => {
    for (const role of ROLES) expect(parseRole(role)._unsafeUnwrap()).toBe(role);
    expect(parseRole('presenter')._unsafeUnwrapErr()).toMatchObject({ type: 'InvalidRole', field: 'role' });
    expect(parseRole('Organizer').isErr()).toBe(true);
  });

  it('is a strict hierarchy: each role can do everything the role below it can', () => {
    const order = ['Consumer', 'Attendee', 'Collaborator', 'Presenter'] as const;
    for (let index = 1; index < order.length; index += 1) {
      for (const capability of capabilitiesOf(order[index - 1] as (typeof order)[number])) {
        expect(can(order[index] as (typeof order)[number], capability)).toBe(true);
      }
    }
  });

  it('matches the matrix where it matters', () => {
    expect(can('Presenter', 'shareScreen')).toBe(true);
    expect(can('Collaborator', 'shareScreen')).toBe(true);
    expect(can('Attendee', 'shareScreen')).toBe(false);
    expect(can('Consumer', 'unmuteMic')).toBe(false);
    expect(can('Consumer', 'turnVideoOn')).toBe(false);
    expect(can('Attendee', 'unmuteMic')).toBe(true);
    expect(can('Collaborator', 'removeParticipant')).toBe(false);
    expect(can('Presenter', 'removeParticipant')).toBe(true);
    expect(can('Presenter', 'dialOutPstn')).toBe(true);
    expect(can('Attendee', 'muteOthers')).toBe(false);
    expect(can('Consumer', 'viewScreenShare')).toBe(true);
  });

  it('exposes the table as data, in a stable order', () => {
    for (const role of ROLES) {
      expect(capabilitiesOf(role)).toEqual(CAPABILITIES.filter((capability) => CAPABILITY_TABLE[role].has(capability)));
    }
  });
});

describe('page tokens', () => {
  const token = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

  it('are URL-safe and round-trip, for every listing', () => {
    for (const version of [1, 42, MAX_VERSION]) {
      for (const keys of [historyKeys, rosterKeys]) {
        const encoded = encodePageToken(keys, version);
        expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodePageToken(keys, encoded)._unsafeUnwrap()).toBe(version);
      }
    }
    const room = { createdAt: '2026-11-25T14:03:00.123Z', roomId: parseRoomId('99123456789012345')._unsafeUnwrap() };
    const encoded = encodePageToken(roomListKeys, room);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(roomListKeys, encoded)._unsafeUnwrap()).toEqual(room);
  });

  it('refuse tokens this server could not have issued: other listings, other formats, keys out of bounds', () => {
    const refused = [
      [historyKeys, ''],
      [historyKeys, 'abc'],
      [historyKeys, 'a+b/'],
      [historyKeys, token('u1.5')],
      [historyKeys, token('history:0')],
      [historyKeys, token('history:-5')],
      [historyKeys, token('history:01')],
      [historyKeys, token('history:1.5')],
      [historyKeys, token(`history:${MAX_VERSION + 1}`)],
      [historyKeys, token('history:9007199254740993')],
      [historyKeys, encodePageToken(rosterKeys, 3)],
      [rosterKeys, encodePageToken(historyKeys, 3)],
      [roomListKeys, encodePageToken(historyKeys, 3)],
      [roomListKeys, token('rooms:2026-11-25T14:03:00Z,99123456789012345')],
      [roomListKeys, token('rooms:2026-02-30T14:03:00.000Z,99123456789012345')],
      [roomListKeys, token('rooms:2026-11-25T14:03:00.000Z,123')],
      [roomListKeys, token('rooms:2026-11-25T14:03:00.000Z,99123456789012345,1')],
    ] as const;
    for (const [keys, text] of refused) expect(decodePageToken(keys as PageKeys<unknown>, text).isErr(), `${keys.list} ${text}`).toBe(true);
  });

  it('accept a version key exactly when it lies in 1..MAX_VERSION, across the whole integer range', async () => {
    await assertProperty(
      fc.property(fc.oneof(fc.integer({ min: -10, max: 10 }), fc.integer(), fc.maxSafeInteger(), fc.bigInt()), (key) => {
        const decoded = decodePageToken(historyKeys, token(`history:${key}`));
        expect(decoded.isOk()).toBe(BigInt(key) >= 1n && BigInt(key) <= BigInt(MAX_VERSION));
      }),
      numRuns(2000),
    );
  });

  it('refuse bad page sizes', () => {
    expect(parsePageRequest(historyKeys, { pageSize: 0 })._unsafeUnwrapErr().type).toBe('InvalidPageSize');
    expect(parsePageRequest(historyKeys, { pageSize: 1001 }).isErr()).toBe(true);
    expect(parsePageRequest(historyKeys, { pageSize: 2.5 }).isErr()).toBe(true);
    expect(parsePageRequest(historyKeys, {})._unsafeUnwrap()).toEqual({ after: null, pageSize: 50 });
  });
});
