import { LEAVE_SUBCODES } from '../errors.js';
import type { DomainEvent } from '../events.js';

/** One line a person can read, for timelines and audit reports. */
export function describeEvent(event: DomainEvent): string {
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
    case 'ParticipantLeftCall': {
      const subcode = LEAVE_SUBCODES[event.data.reason];
      return `${event.data.participant} left the call (${event.data.reason}${subcode === undefined ? '' : `, ${subcode}`})`;
    }
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
    case 'IdentityCreated':
      return `identity ${event.data.identityId} created`;
    case 'AccessTokenIssued':
      return `token ${event.data.tokenId} issued for ${event.data.scopes.join(', ')}, valid until ${event.data.expiresOn}`;
    case 'AccessTokensRevoked':
      return 'every token issued so far revoked';
    case 'IdentityDeleted':
      return 'identity deleted';
  }
}
