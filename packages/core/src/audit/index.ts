export * from './describe-event.js';
export * from './history.js';
export * from './verify.js';
