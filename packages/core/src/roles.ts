import { err, ok, type Result } from 'neverthrow';
import type { ValidationError } from './validation-error.js';

export const ROLES = ['Presenter', 'Collaborator', 'Attendee', 'Consumer'] as const;
export type Role = (typeof ROLES)[number];
export const DEFAULT_ROLE: Role = 'Attendee';

export const CAPABILITIES = [
  'turnVideoOn',
  'unmuteMic',
  'muteOthers',
  'switchCamera',
  'chooseSpeaker',
  'chooseMic',
  'showCallState',
  'useCaptions',
  'inviteParticipant',
  'shareScreen',
  'viewScreenShare',
  'removeParticipant',
  'manageDevices',
  'selectSpeakerDevice',
  'renderLocalVideo',
  'renderRemoteVideo',
  'dialOutPstn',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

const EVERYONE: readonly Capability[] = [
  'chooseSpeaker',
  'showCallState',
  'useCaptions',
  'viewScreenShare',
  'selectSpeakerDevice',
  'renderRemoteVideo',
];
const AUDIO_VIDEO: readonly Capability[] = ['turnVideoOn', 'unmuteMic', 'switchCamera', 'chooseMic', 'manageDevices', 'renderLocalVideo'];

/** The ACS rooms permission matrix (reference/acs-rooms.md §4.1), as data. */
export const CAPABILITY_TABLE: Readonly<Record<Role, ReadonlySet<Capability>>> = {
  Presenter: new Set<Capability>([...EVERYONE, ...AUDIO_VIDEO, 'muteOthers', 'inviteParticipant', 'shareScreen', 'removeParticipant', 'dialOutPstn']),
  Collaborator: new Set<Capability>([...EVERYONE, ...AUDIO_VIDEO, 'shareScreen']),
  Attendee: new Set<Capability>([...EVERYONE, ...AUDIO_VIDEO]),
  Consumer: new Set<Capability>(EVERYONE),
};

export function capabilitiesOf(role: Role): readonly Capability[] {
  return CAPABILITIES.filter((capability) => CAPABILITY_TABLE[role].has(capability));
}

export function can(role: Role, capability: Capability): boolean {
  return CAPABILITY_TABLE[role].has(capability);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Role names are case-sensitive on the wire, as ACS's enum deserialiser is. */
export function parseRole(value: unknown): Result<Role, ValidationError> {
  if (isRole(value)) return ok(value);
  return err({
    type: 'InvalidRole',
    field: 'role',
    value: String(value),
    message: `Unknown role ${JSON.stringify(value)}; expected one of ${ROLES.join(', ')}.`,
  });
}
