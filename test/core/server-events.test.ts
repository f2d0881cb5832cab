import { createRoomService, deliveryBody, guidOfEventId, type ServerEvent, type StoredEvent, serverEventFeed, serverEventsOfPage } from '@usher/core';
import { createMemoryStore } from '@usher/store-memory';
import { describe, expect, it } from 'vitest';
import { manualClock, participant, sequentialIds, T0, tenant } from '../support/fixtures.js';
import { okValue } from '../support/results.js';

const alice = participant('alice');
const bob = participant('bob');

/** Given a room's whole life through the service, when the feed reads the log, then these are its server events. */
async function roomLife() {
  const store = createMemoryStore();
  const clock = manualClock();
  const service = createRoomService({ store, clock, ids: sequentialIds(3) });
  const room = (
    await okValue(
      service.createRoom(tenant('contoso'), {
        participants: [
          { id: alice, role: 'Presenter' },
          { id: bob, role: 'Attendee' },
        ],
      }),
    )
  ).stream;
  await okValue(service.joinCall(room, alice));
  clock.advance(5_000);
  await okValue(service.joinCall(room, bob));
  await okValue(service.updateParticipants(room, [{ id: bob, role: 'Consumer' }], []));
  clock.advance(20_000);
  await okValue(service.leaveCall(room, bob));
  await okValue(service.leaveCall(room, alice));
  await okValue(service.joinCall(room, bob));
  await okValue(service.deleteRoom(room));
  const log = await okValue(store.readAll({ afterPosition: 0, limit: 1000 }));
  return { store, room, log };
}

const made = (events: readonly (ServerEvent | null)[]) => events.filter((event): event is ServerEvent => event !== null);

describe('server events from the log', () => {
  it('reports a room call as ACS does, and the room lifecycle as Usher.Rooms events', async () => {
    const { store, room, log } = await roomLife();
    const events = made(await okValue(serverEventsOfPage(serverEventFeed(store), log)));
    expect(events.map((event) => event.eventType)).toEqual([
      'Usher.Rooms.RoomCreated',
      'Usher.Rooms.ParticipantsUpdated',
      'Usher.Rooms.ParticipantsUpdated',
      'Microsoft.Communication.CallStarted',
      'Microsoft.Communication.CallParticipantAdded',
      'Microsoft.Communication.CallParticipantAdded',
      'Usher.Rooms.ParticipantsUpdated',
      'Microsoft.Communication.CallParticipantRemoved',
      'Microsoft.Communication.CallParticipantRemoved',
      'Microsoft.Communication.CallEnded',
      'Microsoft.Communication.CallStarted',
      'Microsoft.Communication.CallParticipantAdded',
      'Microsoft.Communication.CallParticipantRemoved',
      'Microsoft.Communication.CallEnded',
      'Usher.Rooms.RoomDeleted',
    ]);
    const [started, aliceJoined, bobJoined] = events.slice(3, 6) as ServerEvent[];
    const first = started?.data as { serverCallId: string; correlationId: string };
    expect(started?.data).toEqual({
      startedBy: { communicationIdentifier: { rawId: alice, communicationUser: { id: alice } }, role: 'Presenter' },
      serverCallId: first.serverCallId,
      correlationId: first.correlationId,
      group: { id: '00000000-0000-0000-0000-000000000000' },
      room: { id: room.roomId },
      isTwoParty: false,
      isRoomsCall: true,
    });
    expect(started?.subject).toBe(`call/${first.serverCallId}/startedBy/${alice}`);
    expect(bobJoined?.subject).toBe(`call/${first.serverCallId}/participant/${bob}`);
    expect(bobJoined?.data).toMatchObject({ user: { communicationIdentifier: { rawId: bob }, role: 'Attendee' }, serverCallId: first.serverCallId });
    expect(aliceJoined?.data).toMatchObject({ correlationId: first.correlationId });
    // Bob's role changed in the call: he leaves as what he then was.
    expect(events[7]?.data).toMatchObject({ user: { communicationIdentifier: { rawId: bob }, role: 'Consumer' }, reason: 'left' });
    const ended = events[9] as ServerEvent;
    expect(ended.subject).toBe(`call/${first.serverCallId}`);
    expect(ended.data).toMatchObject({ callDurationInSeconds: 25, reason: { code: 0, subCode: 0 }, serverCallId: first.serverCallId });
    // The second call is another call.
    const second = events[10]?.data as { serverCallId: string; startedBy: unknown };
    expect(second.serverCallId).not.toBe(first.serverCallId);
    expect(second.startedBy).toEqual({ communicationIdentifier: { rawId: bob, communicationUser: { id: bob } }, role: 'Consumer' });
    // The deletion ended the call that was on.
    expect(events[13]?.data).toMatchObject({ serverCallId: second.serverCallId });
    expect(events[0]?.eventTime).toBe(T0.toISOString());
    expect(events[0]?.data).toMatchObject({ room: { id: room.roomId }, pstnDialOutEnabled: false });
  });

  it('gives every server event an id derived from its log event: the same whichever feed, and wherever it starts', async () => {
    const { store, log } = await roomLife();
    const whole = await okValue(serverEventsOfPage(serverEventFeed(store), log));
    // A feed that starts in the middle of the call folds the room from its stream and says the same.
    const middle = log.findIndex((event) => event.type === 'ParticipantLeftCall');
    const resumed = await okValue(serverEventsOfPage(serverEventFeed(store), log.slice(middle)));
    expect(resumed).toEqual(whole.slice(middle));
    // A feed holding one room at a time still agrees (rooms fall out and are folded again).
    const tiny = await okValue(serverEventsOfPage(serverEventFeed(store, 0), log));
    expect(tiny).toEqual(whole);
    for (const [index, event] of whole.entries()) {
      if (event !== null) expect(event.id).toBe(guidOfEventId((log[index] as StoredEvent).eventId));
    }
    expect(new Set(made(whole).map((event) => event.id)).size).toBe(made(whole).length);
  });

  it('writes a ULID as the GUID of the same 128 bits, and any other id as a GUID of its hash', () => {
    expect(guidOfEventId('00000000000000000000000000')).toBe('00000000-0000-0000-0000-000000000000');
    expect(guidOfEventId('7ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
    expect(guidOfEventId('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe('01563e3a-b5d3-d676-4c61-efb99302bd5b');
    expect(guidOfEventId('not-a-ulid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('wraps an event as Event Grid (an array, with its topic) or as a CloudEvent (one object)', async () => {
    const { store, log } = await roomLife();
    const [created] = made(await okValue(serverEventsOfPage(serverEventFeed(store), log)));
    if (created === undefined) throw new Error('no event');
    expect(deliveryBody(created, 'contoso', 'EventGridSchema')).toEqual([
      {
        topic: '/providers/usher/tenants/contoso',
        id: created.id,
        subject: created.subject,
        eventType: 'Usher.Rooms.RoomCreated',
        eventTime: created.eventTime,
        data: created.data,
        dataVersion: '1.0',
        metadataVersion: '1',
      },
    ]);
    expect(deliveryBody(created, 'contoso', 'CloudEventSchemaV1_0')).toEqual({
      specversion: '1.0',
      type: 'Usher.Rooms.RoomCreated',
      source: '/providers/usher/tenants/contoso',
      id: created.id,
      time: created.eventTime,
      subject: created.subject,
      datacontenttype: 'application/json',
      data: created.data,
    });
  });
});
