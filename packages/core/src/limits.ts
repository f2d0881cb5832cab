/**
 * Size limits. ACS documents only the call size (350 interactive participants); roster and request
 * sizes are not published, so Usher's defaults are generous and every one can be configured.
 */
export interface Limits {
  /** Participants on one room's roster. */
  readonly maxRosterSize: number;
  /** Participants named in one add or remove command (one PATCH of the REST API). */
  readonly maxParticipantsPerRequest: number;
  /** Participants in one room call at once. */
  readonly maxCallSize: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxRosterSize: 10_000,
  maxParticipantsPerRequest: 1_000,
  maxCallSize: 350,
};

export function withDefaultLimits(overrides: Partial<Limits> = {}): Limits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
