import { DEFAULT_LIMITS, type ExpiryPolicy, type PhoneNumber, type Role, type RoomEvent, withDefaultLimits } from '@usher/core';
import { describe, expect, it } from 'vitest';
import { given } from '../support/decider-spec.js';
import { at, DAY, HOUR, MINUTE, participant, roomId, T0 } from '../support/fixtures.js';

const ROOM = roomId(1);
const alice = participant('alice');
const bob = participant('bob');
const carol = participant('carol');
const number = '+14255550123' as PhoneNumber;

function created(options: { from?: Date; until?: Date; pstn?: boolean; expiryPolicy?: ExpiryPolicy } = {}): RoomEvent {
  const from = options.from ?? T0;
  return {
    type: 'RoomCreated',
    data: {
      roomId: ROOM,
      createdAt: T0.toISOString(),
      validFrom: from.toISOString(),
      validUntil: (options.until ?? new Date(from.getTime() + 180 * DAY)).toISOString(),
      pstnDialOutEnabled: options.pstn ?? false,
      expiryPolicy: options.expiryPolicy ?? 'blockJoins',
    },
  };
}
const added = (who: typeof alice, role: Role = 'Attendee'): RoomEvent => ({ type: 'ParticipantAdded', data: { participant: who, role } });
/** Without `startedAt`, as calls were recorded before it was: given histories use both kinds. */
const started = (by: typeof alice, startedAt?: Date): RoomEvent => ({
  type: 'CallStarted',
  data: startedAt === undefined ? { startedBy: by } : { startedBy: by, startedAt: startedAt.toISOString() },
});
const joined = (who: typeof alice, role: Role, muted = false): RoomEvent => ({
  type: 'ParticipantJoinedCall',
  data: { participant: who, role, muted },
});
const inCallWith = (...members: [typeof alice, Role][]): RoomEvent[] => [
  created(),
  ...members.map(([who, role]) => added(who, role)),
  started(members[0]?.[0] ?? alice),
  ...members.map(([who, role]) => joined(who, role, role === 'Consumer')),
];

describe('CreateRoom', () => {
  it('defaults the window to [now, now + 180 days), dial-out off, blockJoins', () => {
    given().when({ type: 'CreateRoom', roomId: ROOM }).thenEmits([created()]);
  });

  it('adds the initial roster with Attendee as the default role', () => {
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, participants: [{ id: alice, role: 'Presenter' }, { id: bob }] })
      .thenEmits([created(), added(alice, 'Presenter'), added(bob, 'Attendee')]);
  });

  it('refuses a room id that exists', () => {
    given([created()]).when({ type: 'CreateRoom', roomId: ROOM }).thenFails('RoomAlreadyExists', { roomId: ROOM });
  });

  it('refuses a room id that was deleted (ids are never reused)', () => {
    given([created(), { type: 'RoomDeleted', data: {} }])
      .when({ type: 'CreateRoom', roomId: ROOM })
      .thenFails('RoomAlreadyExists');
  });

  it('E4: refuses validUntil in the past', () => {
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, validUntil: at(-MINUTE) })
      .thenFails('ValidUntilInPast', { field: 'validUntil' });
  });

  it('E4: validUntil equal to now is in the past', () => {
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, validFrom: at(-HOUR), validUntil: T0 })
      .thenFails('ValidUntilInPast');
  });

  it('E4 wins over an inverted window', () => {
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, validFrom: at(DAY), validUntil: at(-DAY) })
      .thenFails('ValidUntilInPast');
  });

  it('E5: refuses validFrom more than 180 days ahead', () => {
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, validFrom: at(180 * DAY + 1), validUntil: at(181 * DAY) })
      .thenFails('ValidFromTooFarAhead', { field: 'validFrom' });
  });

  it('E5: validFrom exactly 180 days ahead is allowed', () => {
    const from = at(180 * DAY);
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, validFrom: from, validUntil: at(181 * DAY) })
      .thenEmits([created({ from, until: at(181 * DAY) })]);
  });

  it('refuses validFrom not before validUntil', () => {
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, validFrom: at(2 * HOUR), validUntil: at(HOUR) })
      .thenFails('WindowInverted');
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, validFrom: at(HOUR), validUntil: at(HOUR) })
      .thenFails('WindowInverted');
  });

  it('E6: refuses a window longer than 180 days by one millisecond', () => {
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, validFrom: T0, validUntil: at(180 * DAY + 1) })
      .thenFails('WindowTooLong', { maxDays: 180 });
  });

  it('E6: a window of exactly 180 days is allowed', () => {
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, validFrom: T0, validUntil: at(180 * DAY) })
      .thenEmits([created({ until: at(180 * DAY) })]);
  });

  it('refuses more participants than one request may name', () => {
    const limits = withDefaultLimits({ maxParticipantsPerRequest: 2 });
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, participants: [{ id: alice }, { id: bob }, { id: carol }] }, { limits })
      .thenFails('TooManyParticipantsInRequest', { limit: 2, requested: 3 });
  });

  it('refuses a roster larger than the limit', () => {
    const limits = withDefaultLimits({ maxRosterSize: 2, maxParticipantsPerRequest: 10 });
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, participants: [{ id: alice }, { id: bob }, { id: carol }] }, { limits })
      .thenFails('RosterFull', { limit: 2, requested: 3 });
  });

  it('refuses a participant named twice', () => {
    given()
      .when({ type: 'CreateRoom', roomId: ROOM, participants: [{ id: alice }, { id: alice, role: 'Presenter' }] })
      .thenFails('DuplicateParticipantInRequest', { participantId: alice });
  });

  it('keeps the documented default limits', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxRosterSize: 10_000, maxParticipantsPerRequest: 1_000, maxCallSize: 350 });
  });
});

describe('UpdateRoom and SetSchedule', () => {
  it('changes the window, checked on the merged result', () => {
    given([created()])
      .when({ type: 'UpdateRoom', validUntil: at(DAY) })
      .thenEmits([{ type: 'RoomScheduleChanged', data: { validFrom: T0.toISOString(), validUntil: at(DAY).toISOString() } }]);
  });

  it('refuses a validFrom that passes the stored validUntil', () => {
    given([created({ until: at(DAY) })])
      .when({ type: 'UpdateRoom', validFrom: at(2 * DAY) })
      .thenFails('WindowInverted');
  });

  it('E6 on update: the merged window may not exceed 180 days', () => {
    given([created()])
      .when({ type: 'SetSchedule', validFrom: at(-DAY) })
      .thenFails('WindowTooLong');
  });

  it('E4 on update: validUntil in the past', () => {
    given([created()])
      .when({ type: 'UpdateRoom', validUntil: at(HOUR) }, { now: at(2 * HOUR) })
      .thenFails('ValidUntilInPast');
  });

  it('toggles PSTN dial-out', () => {
    given([created()])
      .when({ type: 'UpdateRoom', pstnDialOutEnabled: true })
      .thenEmits([{ type: 'RoomPstnDialOutChanged', data: { enabled: true } }]);
  });

  it('is a no-op when nothing changes', () => {
    given([created()]).when({ type: 'UpdateRoom', pstnDialOutEnabled: false, validFrom: T0 }).thenNothing();
  });

  it('refuses a room that does not exist', () => {
    given().when({ type: 'UpdateRoom', pstnDialOutEnabled: true }).thenFails('RoomNotFound', { subcode: 5732 });
  });
});

describe('AddParticipants', () => {
  it('adds new participants and changes the role of existing ones', () => {
    given([created(), added(alice)])
      .when({
        type: 'AddParticipants',
        participants: [
          { id: alice, role: 'Presenter' },
          { id: bob, role: 'Consumer' },
        ],
      })
      .thenEmits([{ type: 'ParticipantRoleChanged', data: { participant: alice, from: 'Attendee', to: 'Presenter' } }, added(bob, 'Consumer')]);
  });

  it('is a no-op for a participant already holding the role', () => {
    given([created(), added(alice)])
      .when({ type: 'AddParticipants', participants: [{ id: alice }] })
      .thenNothing();
  });

  it('refuses to grow the roster past the limit, counting only new participants', () => {
    const limits = withDefaultLimits({ maxRosterSize: 2 });
    given([created(), added(alice), added(bob)])
      .when({ type: 'AddParticipants', participants: [{ id: alice, role: 'Presenter' }] }, { limits })
      .thenEmits([{ type: 'ParticipantRoleChanged', data: { participant: alice, from: 'Attendee', to: 'Presenter' } }]);
    given([created(), added(alice), added(bob)])
      .when({ type: 'AddParticipants', participants: [{ id: carol }] }, { limits })
      .thenFails('RosterFull');
  });

  it('refuses too many participants in one request', () => {
    const limits = withDefaultLimits({ maxParticipantsPerRequest: 1 });
    given([created()])
      .when({ type: 'AddParticipants', participants: [{ id: alice }, { id: bob }] }, { limits })
      .thenFails('TooManyParticipantsInRequest');
  });

  it('refuses a participant named twice', () => {
    given([created()])
      .when({ type: 'AddParticipants', participants: [{ id: bob }, { id: bob }] })
      .thenFails('DuplicateParticipantInRequest');
  });

  it('a demotion in a call stops what the new role may not do', () => {
    given([...inCallWith([alice, 'Presenter']), { type: 'ScreenShareStarted', data: { participant: alice } }])
      .when({ type: 'AddParticipants', participants: [{ id: alice, role: 'Consumer' }] })
      .thenEmits([
        { type: 'ParticipantRoleChanged', data: { participant: alice, from: 'Presenter', to: 'Consumer' } },
        { type: 'ScreenShareStopped', data: { participant: alice, reason: 'roleChanged' } },
        { type: 'ParticipantMuted', data: { participant: alice, by: 'system' } },
      ]);
  });
});

describe('RemoveParticipants', () => {
  it('removes participants and ignores ids not on the roster', () => {
    given([created(), added(alice)])
      .when({ type: 'RemoveParticipants', ids: [alice, bob] })
      .thenEmits([{ type: 'ParticipantRemoved', data: { participant: alice } }]);
  });

  it('ejects a removed participant from the call with subcode reason removedFromRoster, ending the call if last', () => {
    given([...inCallWith([alice, 'Presenter']), { type: 'ScreenShareStarted', data: { participant: alice } }])
      .when({ type: 'RemoveParticipants', ids: [alice] })
      .thenEmits([
        { type: 'ParticipantRemoved', data: { participant: alice } },
        { type: 'ScreenShareStopped', data: { participant: alice, reason: 'leftCall' } },
        { type: 'ParticipantLeftCall', data: { participant: alice, reason: 'removedFromRoster' } },
        { type: 'CallEnded', data: { reason: 'lastParticipantLeft' } },
      ]);
  });

  it('refuses too many ids and duplicates', () => {
    const limits = withDefaultLimits({ maxParticipantsPerRequest: 1 });
    given([created()])
      .when({ type: 'RemoveParticipants', ids: [alice, bob] }, { limits })
      .thenFails('TooManyParticipantsInRequest');
    given([created()])
      .when({ type: 'RemoveParticipants', ids: [alice, alice] })
      .thenFails('DuplicateParticipantInRequest');
  });
});

describe('UpdateParticipants (a roster merge-patch)', () => {
  it('upserts and removes in one decision', () => {
    given([created(), added(alice), added(bob)])
      .when({
        type: 'UpdateParticipants',
        upsert: [
          { id: carol, role: 'Presenter' },
          { id: alice, role: 'Consumer' },
        ],
        remove: [bob],
      })
      .thenEmits([
        added(carol, 'Presenter'),
        { type: 'ParticipantRoleChanged', data: { participant: alice, from: 'Attendee', to: 'Consumer' } },
        { type: 'ParticipantRemoved', data: { participant: bob } },
      ]);
  });

  it('refuses a participant both upserted and removed, and counts both lists against the request limit', () => {
    given([created()])
      .when({ type: 'UpdateParticipants', upsert: [{ id: alice }], remove: [alice] })
      .thenFails('DuplicateParticipantInRequest');
    const limits = withDefaultLimits({ maxParticipantsPerRequest: 1 });
    given([created()])
      .when({ type: 'UpdateParticipants', upsert: [{ id: alice }], remove: [bob] }, { limits })
      .thenFails('TooManyParticipantsInRequest');
  });
});

describe('DeleteRoom', () => {
  it('ends the running call, then deletes', () => {
    given(inCallWith([alice, 'Attendee'], [bob, 'Attendee']))
      .when({ type: 'DeleteRoom' })
      .thenEmits([
        { type: 'ParticipantLeftCall', data: { participant: alice, reason: 'callEnded' } },
        { type: 'ParticipantLeftCall', data: { participant: bob, reason: 'callEnded' } },
        { type: 'CallEnded', data: { reason: 'roomDeleted' } },
        { type: 'RoomDeleted', data: {} },
      ]);
  });

  it('is idempotent on a deleted room and refused on a missing one', () => {
    given([created(), { type: 'RoomDeleted', data: {} }])
      .when({ type: 'DeleteRoom' })
      .thenNothing();
    given().when({ type: 'DeleteRoom' }).thenFails('RoomNotFound');
  });

  it('a deleted room accepts nothing else', () => {
    const deleted = given([created(), added(alice), { type: 'RoomDeleted', data: {} }]);
    deleted.when({ type: 'AddParticipants', participants: [{ id: bob }] }).thenFails('RoomNotFound', { subcode: 5732 });
    deleted.when({ type: 'JoinCall', participant: alice }).thenFails('RoomNotFound', { subcode: 5732 });
    deleted.when({ type: 'UpdateRoom', pstnDialOutEnabled: true }).thenFails('RoomNotFound');
  });
});

describe('JoinCall', () => {
  it('the first join starts the call; Consumers join muted', () => {
    given([created(), added(alice, 'Consumer')])
      .when({ type: 'JoinCall', participant: alice })
      .thenEmits([started(alice, T0), joined(alice, 'Consumer', true)]);
  });

  it('later joins do not start another call', () => {
    given(inCallWith([alice, 'Presenter']).concat(added(bob)))
      .when({ type: 'JoinCall', participant: bob })
      .thenEmits([joined(bob, 'Attendee')]);
  });

  it('joining twice is a no-op', () => {
    given(inCallWith([alice, 'Presenter']))
      .when({ type: 'JoinCall', participant: alice })
      .thenNothing();
  });

  it('refuses a missing room (5732)', () => {
    given().when({ type: 'JoinCall', participant: alice }).thenFails('RoomNotFound', { subcode: 5732 });
  });

  it('refuses a participant not on the roster (5828)', () => {
    given([created()]).when({ type: 'JoinCall', participant: alice }).thenFails('NotInvited', { subcode: 5828, participantId: alice });
  });

  it('refuses before validFrom, to the millisecond (5829)', () => {
    given([created({ from: at(HOUR) }), added(alice)])
      .when({ type: 'JoinCall', participant: alice }, { now: at(HOUR - 1) })
      .thenFails('RoomNotOpenYet', { subcode: 5829, opensAt: at(HOUR).toISOString() });
    given([created({ from: at(HOUR) }), added(alice)])
      .when({ type: 'JoinCall', participant: alice }, { now: at(HOUR) })
      .thenEmits([started(alice, at(HOUR)), joined(alice, 'Attendee')]);
  });

  it('refuses at and after validUntil (5829)', () => {
    given([created({ until: at(HOUR) }), added(alice)])
      .when({ type: 'JoinCall', participant: alice }, { now: at(HOUR) })
      .thenFails('RoomClosed', { subcode: 5829, closedAt: at(HOUR).toISOString() });
  });

  it('refuses when the call is full', () => {
    const limits = withDefaultLimits({ maxCallSize: 1 });
    given(inCallWith([alice, 'Presenter']).concat(added(bob)))
      .when({ type: 'JoinCall', participant: bob }, { limits })
      .thenFails('CallFull', { limit: 1 });
  });
});

describe('LeaveCall', () => {
  it('the last leave ends the call', () => {
    given(inCallWith([alice, 'Presenter']))
      .when({ type: 'LeaveCall', participant: alice, reason: 'disconnected' })
      .thenEmits([
        { type: 'ParticipantLeftCall', data: { participant: alice, reason: 'disconnected' } },
        { type: 'CallEnded', data: { reason: 'lastParticipantLeft' } },
      ]);
  });

  it('leaving when not in the call is a no-op', () => {
    given([created(), added(alice)])
      .when({ type: 'LeaveCall', participant: alice })
      .thenNothing();
  });
});

describe('EjectFromCall (a deleted identity)', () => {
  it('takes the participant out of the call with the reason, ending it when they were the last', () => {
    given(inCallWith([alice, 'Presenter'], [bob, 'Attendee']))
      .when({ type: 'EjectFromCall', participant: alice, reason: 'identityDeleted' })
      .thenEmits([{ type: 'ParticipantLeftCall', data: { participant: alice, reason: 'identityDeleted' } }]);
    given(inCallWith([alice, 'Presenter']))
      .when({ type: 'EjectFromCall', participant: alice, reason: 'identityDeleted' })
      .thenEmits([
        { type: 'ParticipantLeftCall', data: { participant: alice, reason: 'identityDeleted' } },
        { type: 'CallEnded', data: { reason: 'lastParticipantLeft' } },
      ]);
  });

  it('is a no-op for someone not in the call, or in a room without one', () => {
    given(inCallWith([alice, 'Presenter']))
      .when({ type: 'EjectFromCall', participant: bob, reason: 'identityDeleted' })
      .thenNothing();
    given([created(), added(alice)])
      .when({ type: 'EjectFromCall', participant: alice, reason: 'identityDeleted' })
      .thenNothing();
  });
});

describe('screen share', () => {
  it('a Presenter or Collaborator may share; one sharer at a time', () => {
    const call = inCallWith([alice, 'Presenter'], [bob, 'Collaborator']);
    given(call)
      .when({ type: 'StartScreenShare', participant: bob })
      .thenEmits([{ type: 'ScreenShareStarted', data: { participant: bob } }]);
    given([...call, { type: 'ScreenShareStarted', data: { participant: bob } }])
      .when({ type: 'StartScreenShare', participant: alice })
      .thenFails('ScreenShareBusy', { sharer: bob });
  });

  it('an Attendee may not share', () => {
    given(inCallWith([alice, 'Attendee']))
      .when({ type: 'StartScreenShare', participant: alice })
      .thenFails('CapabilityDenied', { capability: 'shareScreen', role: 'Attendee' });
  });

  it('someone not in the call may not share', () => {
    given([created(), added(alice, 'Presenter')])
      .when({ type: 'StartScreenShare', participant: alice })
      .thenFails('NotInCall');
  });

  it('stopping is for the sharer; anything else is a no-op', () => {
    const call = [...inCallWith([alice, 'Presenter'], [bob, 'Presenter']), { type: 'ScreenShareStarted', data: { participant: alice } } as RoomEvent];
    given(call)
      .when({ type: 'StopScreenShare', participant: alice })
      .thenEmits([{ type: 'ScreenShareStopped', data: { participant: alice, reason: 'stopped' } }]);
    given(call).when({ type: 'StopScreenShare', participant: bob }).thenNothing();
  });
});

describe('MuteParticipant and RemoveFromCall', () => {
  it('a Presenter mutes others; anyone mutes themselves', () => {
    const call = inCallWith([alice, 'Presenter'], [bob, 'Attendee']);
    given(call)
      .when({ type: 'MuteParticipant', participant: alice, target: bob })
      .thenEmits([{ type: 'ParticipantMuted', data: { participant: bob, by: alice } }]);
    given(call)
      .when({ type: 'MuteParticipant', participant: bob, target: bob })
      .thenEmits([{ type: 'ParticipantMuted', data: { participant: bob, by: bob } }]);
    given(call).when({ type: 'MuteParticipant', participant: bob, target: alice }).thenFails('CapabilityDenied', { capability: 'muteOthers' });
  });

  it('muting someone not in the call is refused; muting the muted is a no-op', () => {
    const call = inCallWith([alice, 'Presenter'], [bob, 'Consumer']);
    given(call).when({ type: 'MuteParticipant', participant: alice, target: carol }).thenFails('TargetNotInCall');
    given(call).when({ type: 'MuteParticipant', participant: alice, target: bob }).thenNothing();
  });

  it('a Presenter removes someone from the call without touching the roster', () => {
    const call = inCallWith([alice, 'Presenter'], [bob, 'Attendee']);
    given(call)
      .when({ type: 'RemoveFromCall', participant: alice, target: bob })
      .thenEmits([{ type: 'ParticipantLeftCall', data: { participant: bob, reason: 'removedFromCall' } }]);
    given(call).when({ type: 'RemoveFromCall', participant: bob, target: alice }).thenFails('CapabilityDenied', { capability: 'removeParticipant' });
    given(call).when({ type: 'RemoveFromCall', participant: alice, target: carol }).thenFails('TargetNotInCall');
  });
});

describe('DialOutPstn', () => {
  it('needs the room flag and a Presenter', () => {
    const withPstn = [
      created({ pstn: true }),
      added(alice, 'Presenter'),
      added(bob),
      started(alice),
      joined(alice, 'Presenter'),
      joined(bob, 'Attendee'),
    ];
    given(withPstn)
      .when({ type: 'DialOutPstn', participant: alice, number })
      .thenEmits([{ type: 'PstnDialedOut', data: { participant: alice, number } }]);
    given(withPstn).when({ type: 'DialOutPstn', participant: bob, number }).thenFails('CapabilityDenied', { capability: 'dialOutPstn' });
    given(inCallWith([alice, 'Presenter']))
      .when({ type: 'DialOutPstn', participant: alice, number })
      .thenFails('PstnDialOutDisabled');
  });
});

describe('ExpireCall', () => {
  const endCallRoom = [created({ until: at(HOUR), expiryPolicy: 'endCall' }), added(alice), started(alice), joined(alice, 'Attendee')];

  it('ends the call at validUntil under the endCall policy', () => {
    given(endCallRoom)
      .when({ type: 'ExpireCall' }, { now: at(HOUR) })
      .thenEmits([
        { type: 'ParticipantLeftCall', data: { participant: alice, reason: 'callEnded' } },
        { type: 'CallEnded', data: { reason: 'expired' } },
      ]);
  });

  it('does nothing before validUntil (an early timer) or under blockJoins', () => {
    given(endCallRoom)
      .when({ type: 'ExpireCall' }, { now: at(HOUR - 1) })
      .thenNothing();
    given([created({ until: at(HOUR) }), added(alice), started(alice), joined(alice, 'Attendee')])
      .when({ type: 'ExpireCall' }, { now: at(2 * HOUR) })
      .thenNothing();
  });
});
