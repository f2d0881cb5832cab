/** The api-versions of the current ACS Rooms surface (reference/acs-rooms.md §1.1), oldest first. */
export const API_VERSIONS = [
  '2023-03-31-preview',
  '2023-06-14',
  '2023-10-30-preview',
  '2024-04-15',
  '2025-02-28-preview',
  '2025-03-07',
  '2025-03-13',
] as const;

export type ApiVersion = (typeof API_VERSIONS)[number];

/** What a version's wire shape has: the PSTN flag from 2023-10-30-preview, the Collaborator role from 2025-02-28-preview. */
export interface VersionShape {
  readonly version: ApiVersion;
  readonly pstnDialOut: boolean;
  readonly collaborator: boolean;
}

export function isApiVersion(value: string): value is ApiVersion {
  return (API_VERSIONS as readonly string[]).includes(value);
}

export function shapeOf(version: ApiVersion): VersionShape {
  const index = API_VERSIONS.indexOf(version);
  return {
    version,
    pstnDialOut: index >= API_VERSIONS.indexOf('2023-10-30-preview'),
    collaborator: index >= API_VERSIONS.indexOf('2025-02-28-preview'),
  };
}

export const SUPPORTED_VERSIONS_HEADER = API_VERSIONS.join(', ');

/** The newest Rooms wire shape: what other APIs' requests carry in their context. */
export const LATEST_SHAPE = shapeOf(API_VERSIONS[API_VERSIONS.length - 1] ?? '2025-03-13');

/** The api-versions of the ACS Identity API (the official JS SDK 1.3 sends 2023-10-01), oldest first. */
export const IDENTITY_API_VERSIONS = ['2021-03-07', '2022-06-01', '2022-10-01', '2023-08-01', '2023-10-01'] as const;
