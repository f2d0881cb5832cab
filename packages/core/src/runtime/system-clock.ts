import type { Clock } from '../ports.js';

/** The wall clock, for applications; the domain itself only ever sees the `Clock` port. */
export const systemClock: Clock = { now: () => new Date() };
