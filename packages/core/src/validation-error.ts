/** Input that does not parse: the `field` names what is wrong. */
export interface ValidationError {
  readonly type:
    | 'InvalidTenantId'
    | 'InvalidRoomIdLength'
    | 'InvalidRoomIdFormat'
    | 'InvalidParticipantId'
    | 'InvalidEventId'
    | 'InvalidRole'
    | 'InvalidTimestamp'
    | 'InvalidPhoneNumber'
    | 'InvalidPageToken'
    | 'InvalidPageSize'
    | 'InvalidScope'
    | 'InvalidTokenLifetime';
  readonly field: string;
  readonly value: string;
  readonly message: string;
}
