import type { RoomState } from '@usher/core';

/** A room's state as `usher audit at` prints it: window, flags, roster with roles, and the call. */
export function describeState(state: RoomState, version: number): string {
  if (state.status === 'absent') return 'the room did not exist yet';
  const { room } = state;
  const roster = [...room.roster.entries()].map(([id, role]) => `  ${id}: ${role}`);
  const call =
    room.call === null
      ? ['call: none']
      : [
          'call:',
          ...Object.entries(room.call.participants).map(
            ([id, p]) => `  ${id}: ${p.role}${p.muted ? ', muted' : ''}${room.call?.screenSharer === id ? ', sharing a screen' : ''}`,
          ),
        ];
  return [
    `room ${room.roomId} (${state.status}) as of version ${version}`,
    `window: ${room.validFrom} – ${room.validUntil}; PSTN dial-out ${room.pstnDialOutEnabled ? 'on' : 'off'}; expiry ${room.expiryPolicy}`,
    `roster (${roster.length}):`,
    ...roster,
    ...call,
  ].join('\n');
}
