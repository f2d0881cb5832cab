export { randomIds } from './random-ids.js';
export { systemClock } from './system-clock.js';
