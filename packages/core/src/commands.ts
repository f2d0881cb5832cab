import type { ParticipantId, PhoneNumber, RoomId } from './ids.js';
import type { Role } from './roles.js';

/** What happens to a running call when the room's window closes. */
export type ExpiryPolicy = 'blockJoins' | 'endCall';
export const DEFAULT_EXPIRY_POLICY: ExpiryPolicy = 'blockJoins';

/** Why a participant left of their own accord (other reasons are decided by the room). */
export type VoluntaryLeaveReason = 'left' | 'disconnected';

export interface ParticipantEntry {
  readonly id: ParticipantId;
  readonly role?: Role | undefined;
}

export type RoomCommand =
  | {
      readonly type: 'CreateRoom';
      readonly roomId: RoomId;
      readonly validFrom?: Date | undefined;
      readonly validUntil?: Date | undefined;
      readonly pstnDialOutEnabled?: boolean | undefined;
      readonly participants?: readonly ParticipantEntry[] | undefined;
      readonly expiryPolicy?: ExpiryPolicy | undefined;
    }
  | {
      readonly type: 'UpdateRoom';
      readonly validFrom?: Date | undefined;
      readonly validUntil?: Date | undefined;
      readonly pstnDialOutEnabled?: boolean | undefined;
    }
  | { readonly type: 'SetSchedule'; readonly validFrom?: Date | undefined; readonly validUntil?: Date | undefined }
  | { readonly type: 'AddParticipants'; readonly participants: readonly ParticipantEntry[] }
  | { readonly type: 'RemoveParticipants'; readonly ids: readonly ParticipantId[] }
  /** A merge-patch of the roster: upserts and removals decided together, so that they are appended together. */
  | { readonly type: 'UpdateParticipants'; readonly upsert: readonly ParticipantEntry[]; readonly remove: readonly ParticipantId[] }
  | { readonly type: 'DeleteRoom' }
  | { readonly type: 'JoinCall'; readonly participant: ParticipantId }
  | { readonly type: 'LeaveCall'; readonly participant: ParticipantId; readonly reason?: VoluntaryLeaveReason | undefined }
  /** The room's own decision that someone leaves, e.g. when their identity is deleted; nothing if they are not in the call. */
  | { readonly type: 'EjectFromCall'; readonly participant: ParticipantId; readonly reason: 'identityDeleted' }
  | { readonly type: 'StartScreenShare'; readonly participant: ParticipantId }
  | { readonly type: 'StopScreenShare'; readonly participant: ParticipantId }
  | { readonly type: 'MuteParticipant'; readonly participant: ParticipantId; readonly target: ParticipantId }
  | { readonly type: 'RemoveFromCall'; readonly participant: ParticipantId; readonly target: ParticipantId }
  | { readonly type: 'DialOutPstn'; readonly participant: ParticipantId; readonly number: PhoneNumber }
  | { readonly type: 'ExpireCall' };

export type RoomCommandType = RoomCommand['type'];
