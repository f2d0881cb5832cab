import { createRoomService, type EventStore, type StreamKey } from '@usher/core';
import { HOUR, manualClock, participant, sequentialIds, tenant } from '../support/fixtures.js';
import { okValue } from '../support/results.js';
import { allParticipants, allRooms } from './contract.js';

/**
 * What schema version 2 changed (page keys local to the tenant) must not change what a listing shows:
 * rooms whose events interleave (so that log positions and versions differ), with removals and
 * re-additions, and their listings, to compare before the downgrade and after the upgrade.
 */
export async function interleavedRooms(store: EventStore) {
  const clock = manualClock();
  const service = createRoomService({ store, clock, ids: sequentialIds(7) });
  const contoso = tenant('contoso');
  const rooms: StreamKey[] = [];
  for (let n = 0; n < 3; n += 1) {
    rooms.push((await okValue(service.createRoom(contoso, { participants: [{ id: participant(`first-${n}`), role: 'Presenter' }] }))).stream);
    if (n === 1) clock.advance(HOUR);
  }
  for (const [index, room] of rooms.entries())
    await okValue(service.addParticipants(room, [{ id: participant(`a-${index}`) }, { id: participant('b') }]));
  for (const room of rooms) await okValue(service.removeParticipants(room, [participant('b')]));
  for (const room of rooms) await okValue(service.addParticipants(room, [{ id: participant('b'), role: 'Consumer' }, { id: participant('c') }]));
  const listings = async (from: EventStore) => ({
    rooms: await allRooms(from, contoso, 2),
    rosters: await Promise.all(rooms.map((room) => allParticipants(from, room, 2))),
  });
  return { rooms, listings };
}
