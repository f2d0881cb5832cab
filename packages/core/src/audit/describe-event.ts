import type { RoomEvent } from '../events.js';

/** One line a person can read, for timelines and audit reports. */
export function describeEvent(event: RoomEvent): string {
  switch (event.type) {
    case 'RoomCreated':
      return `room created, open ${event.data.validFrom} to ${event.data.validUntil}, PSTN dial-out ${event.data.pstnDialOutEnabled ? 'on' : 'off'}, expiry ${event.data.expiryPolicy}`;
    case 'RoomScheduleChanged':
      return `window changed to ${event.data.validFrom} – ${event.data.validUntil}`;
    case 'RoomPstnDialOutChanged':
      return `PSTN dial-out turned ${event.data.enabled ? 'on' : 'off'}`;
    case 'ParticipantAdded':
      return `${event.data.participant} invited as ${event.data.role}`;
    case 'ParticipantRoleChanged':
      return `${event.data.participant} changed from ${event.data.from} to ${event.data.to}`;
    case 'ParticipantRemoved':
      return `${event.data.participant} removed from the roster`;
    case 'RoomDeleted':
      return 'room deleted';
    case 'CallStarted':
      return `call started by ${event.data.startedBy}`;
    case 'ParticipantJoinedCall':
      return `${event.data.participant} joined the call as ${event.data.role}${event.data.muted ? ', muted' : ''}`;
    case 'ParticipantLeftCall':
      return `${event.data.participant} left the call (${event.data.reason})`;
    case 'CallEnded':
      return `call ended (${event.data.reason})`;
    case 'ScreenShareStarted':
      return `${event.data.participant} started sharing a screen`;
    case 'ScreenShareStopped':
      return `${event.data.participant} stopped sharing a screen (${event.data.reason})`;
    case 'ParticipantMuted':
      return `${event.data.participant} muted by ${event.data.by}`;
    case 'PstnDialedOut':
      return `${event.data.participant} dialled out to ${event.data.number}`;
  }
}
