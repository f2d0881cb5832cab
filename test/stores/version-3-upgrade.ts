import { createRoomService, type EventStore, type StreamKey } from '@usher/core';
import { expect } from 'vitest';
import { HOUR, manualClock, participant, sequentialIds, T0, tenant } from '../support/fixtures.js';
import { okValue } from '../support/results.js';

/** What schema version 3 drops on the way back to version 2: its indexes and tables. */
export const DOWNGRADE_TO_2 = `
  DROP INDEX participants_by_participant;
  DROP INDEX IF EXISTS streams_calls_to_expire;
  DROP TABLE signing_keys;
  DROP TABLE leases;
  DELETE FROM schema_migrations WHERE version = 3;`;

/** A room of 0.2.0 with the endCall policy and a call on, written before the schema knew about calls to expire. */
export async function callInProgress(store: EventStore): Promise<StreamKey> {
  const clock = manualClock();
  const service = createRoomService({ store, clock, ids: sequentialIds(8) });
  const created = await okValue(
    service.createRoom(tenant('contoso'), {
      validUntil: new Date(T0.getTime() + HOUR),
      expiryPolicy: 'endCall',
      participants: [{ id: participant('caller'), role: 'Presenter' }],
    }),
  );
  await okValue(service.joinCall(created.stream, participant('caller')));
  return created.stream;
}

/** After the upgrade, the call written under version 2 is found by what version 3 added. */
export async function expectFoundAfterUpgrade(store: EventStore, room: StreamKey): Promise<void> {
  expect(await okValue(store.callsToExpire(new Date(T0.getTime() + HOUR).toISOString(), 10))).toEqual([room]);
  expect(await okValue(store.nextCallExpiry())).toBe(new Date(T0.getTime() + HOUR).toISOString());
  expect(await okValue(store.roomsOfParticipant(room.tenantId, participant('caller')))).toEqual([room.roomId]);
  expect(await okValue(store.signingKeys.list())).toEqual([]);
  expect(await okValue(store.leases.acquire('call-expiry', 'upgraded', T0.toISOString(), new Date(T0.getTime() + 1000).toISOString()))).toBe(true);
}
