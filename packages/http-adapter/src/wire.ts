import type { ParticipantRecord, RoomSummary } from '@usher/core';
import type { VersionShape } from './api-versions.js';

/** ACS writes instants with `+00:00` and the fraction it has, trailing zeros trimmed (reference/acs-rooms.md §2). */
export function wireTime(iso: string): string {
  const [seconds, fraction = ''] = iso.replace(/Z$/, '').split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${seconds}${trimmed === '' ? '' : `.${trimmed}`}+00:00`;
}

export function wireRoom(room: RoomSummary, shape: VersionShape) {
  return {
    id: room.roomId,
    createdAt: wireTime(room.createdAt),
    validFrom: wireTime(room.validFrom),
    validUntil: wireTime(room.validUntil),
    ...(shape.pstnDialOut ? { pstnDialOutEnabled: room.pstnDialOutEnabled } : {}),
  };
}

export function wireParticipant(participant: ParticipantRecord) {
  return { rawId: participant.participantId, role: participant.role };
}
