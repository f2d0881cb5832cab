import type { ExpiryPolicy, ParticipantEntry, PhoneNumber, Role, RoomCommand, RoomId } from '@usher/core';
import { ROLES } from '@usher/core';
import fc from 'fast-check';
import { DAY, HOUR, MINUTE, participant, roomId } from './fixtures.js';

export const PARTICIPANTS = [0, 1, 2, 3, 4].map((n) => participant(n));
export const ROOMS: readonly RoomId[] = [roomId(1), roomId(2)];

const who = fc.constantFrom(...PARTICIPANTS);
const role: fc.Arbitrary<Role> = fc.constantFrom(...ROLES);
const entry: fc.Arbitrary<ParticipantEntry> = fc.record({ id: who, role: fc.option(role, { nil: undefined }) });
const entries = fc.uniqueArray(entry, { maxLength: 4, selector: (e) => e.id });

/** An offset from "now" for window edges: mostly near, sometimes at the 180-day limits. */
const offset = fc.oneof(
  fc.integer({ min: -2 * HOUR, max: 6 * HOUR }),
  fc.constantFrom(-1, 0, 1, 180 * DAY, 180 * DAY + 1),
  fc.integer({ min: -DAY, max: 200 * DAY }),
);

export type TimedCommand =
  | { readonly kind: 'command'; readonly room: number; readonly command: (now: Date) => RoomCommand; readonly label: string }
  | { readonly kind: 'advance'; readonly ms: number }
  /** Moves the clock to just around a room's window edge, where off-by-one rules break. */
  | { readonly kind: 'toEdge'; readonly room: number; readonly edge: 'validFrom' | 'validUntil'; readonly delta: -1 | 0 | 1 };

const roomIndex = fc.integer({ min: 0, max: ROOMS.length - 1 });
const at = (now: Date, ms: number | undefined) => (ms === undefined ? undefined : new Date(now.getTime() + ms));

function command(label: string, arb: fc.Arbitrary<(now: Date) => RoomCommand>): fc.Arbitrary<TimedCommand> {
  return fc.tuple(roomIndex, arb).map(([room, make]) => ({ kind: 'command' as const, room, command: make, label }));
}

const createRoom = fc
  .record({
    from: fc.option(offset, { nil: undefined }),
    until: fc.option(offset, { nil: undefined }),
    pstn: fc.option(fc.boolean(), { nil: undefined }),
    participants: entries,
    policy: fc.option(fc.constantFrom<ExpiryPolicy>('blockJoins', 'endCall'), { nil: undefined }),
  })
  .map(
    (input) =>
      (now: Date): RoomCommand => ({
        type: 'CreateRoom',
        roomId: ROOMS[0] as RoomId,
        validFrom: at(now, input.from),
        validUntil: at(now, input.until),
        pstnDialOutEnabled: input.pstn,
        participants: input.participants,
        expiryPolicy: input.policy,
      }),
  );

const constant = (make: (now: Date) => RoomCommand) => fc.constant(make);

export const timedCommand: fc.Arbitrary<TimedCommand> = fc.oneof(
  { weight: 1, arbitrary: command('CreateRoom', createRoom) },
  {
    weight: 1,
    arbitrary: command(
      'UpdateRoom',
      fc
        .record({
          from: fc.option(offset, { nil: undefined }),
          until: fc.option(offset, { nil: undefined }),
          pstn: fc.option(fc.boolean(), { nil: undefined }),
        })
        .map(
          (input) =>
            (now: Date): RoomCommand => ({
              type: 'UpdateRoom',
              validFrom: at(now, input.from),
              validUntil: at(now, input.until),
              pstnDialOutEnabled: input.pstn,
            }),
        ),
    ),
  },
  {
    weight: 3,
    arbitrary: command(
      'AddParticipants',
      entries.map((participants) => () => ({ type: 'AddParticipants', participants })),
    ),
  },
  {
    weight: 2,
    arbitrary: command(
      'RemoveParticipants',
      fc.uniqueArray(who, { maxLength: 2 }).map((ids) => () => ({ type: 'RemoveParticipants', ids })),
    ),
  },
  {
    weight: 1,
    arbitrary: command(
      'DeleteRoom',
      constant(() => ({ type: 'DeleteRoom' })),
    ),
  },
  {
    weight: 10,
    arbitrary: command(
      'JoinCall',
      who.map((p) => () => ({ type: 'JoinCall', participant: p })),
    ),
  },
  {
    weight: 2,
    arbitrary: command(
      'LeaveCall',
      fc.tuple(who, fc.constantFrom('left' as const, 'disconnected' as const)).map(([p, reason]) => () => ({
        type: 'LeaveCall',
        participant: p,
        reason,
      })),
    ),
  },
  {
    weight: 3,
    arbitrary: command(
      'StartScreenShare',
      who.map((p) => () => ({ type: 'StartScreenShare', participant: p })),
    ),
  },
  {
    weight: 1,
    arbitrary: command(
      'StopScreenShare',
      who.map((p) => () => ({ type: 'StopScreenShare', participant: p })),
    ),
  },
  {
    weight: 1,
    arbitrary: command(
      'MuteParticipant',
      fc.tuple(who, who).map(([p, target]) => () => ({ type: 'MuteParticipant', participant: p, target })),
    ),
  },
  {
    weight: 1,
    arbitrary: command(
      'RemoveFromCall',
      fc.tuple(who, who).map(([p, target]) => () => ({ type: 'RemoveFromCall', participant: p, target })),
    ),
  },
  {
    weight: 1,
    arbitrary: command(
      'DialOutPstn',
      who.map((p) => () => ({ type: 'DialOutPstn', participant: p, number: '+14255550123' as PhoneNumber })),
    ),
  },
  {
    weight: 1,
    arbitrary: command(
      'ExpireCall',
      constant(() => ({ type: 'ExpireCall' })),
    ),
  },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: HOUR }).map((ms) => ({ kind: 'advance' as const, ms })) },
  { weight: 1, arbitrary: fc.integer({ min: HOUR, max: 5 * DAY }).map((ms) => ({ kind: 'advance' as const, ms })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('toEdge' as const),
      room: roomIndex,
      edge: fc.constantFrom('validFrom' as const, 'validUntil' as const),
      delta: fc.constantFrom(-1 as const, 0 as const, 1 as const),
    }),
  },
);

/** CreateRoom commands carry the room of the step they run in. */
export function commandFor(step: TimedCommand & { kind: 'command' }, now: Date): RoomCommand {
  const made = step.command(now);
  return made.type === 'CreateRoom' ? { ...made, roomId: ROOMS[step.room] as RoomId } : made;
}

/** Opens every room with a window that is valid now, so that histories spend their steps on rooms that exist. */
export const openingCreate = (room: number): fc.Arbitrary<TimedCommand> =>
  fc
    .record({
      from: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * HOUR })),
      length: fc.integer({ min: MINUTE, max: 3 * DAY }),
      participants: fc.uniqueArray(entry, { minLength: 2, maxLength: 3, selector: (e) => e.id }),
      pstn: fc.boolean(),
      policy: fc.constantFrom<ExpiryPolicy>('blockJoins', 'endCall'),
    })
    .map((input) => ({
      kind: 'command' as const,
      room,
      label: 'CreateRoom',
      command: (now: Date): RoomCommand => ({
        type: 'CreateRoom',
        roomId: ROOMS[room] as RoomId,
        validFrom: new Date(now.getTime() + input.from),
        validUntil: new Date(now.getTime() + input.from + input.length),
        participants: input.participants,
        pstnDialOutEnabled: input.pstn,
        expiryPolicy: input.policy,
      }),
    }));

export const timedCommands = fc
  .tuple(fc.tuple(...ROOMS.map((_, room) => openingCreate(room))), fc.array(timedCommand, { minLength: 10, maxLength: 40, size: 'max' }))
  .map(([opening, steps]) => [...opening, ...steps]);
