export * from './describe-event.js';
export * from './history.js';
export * from './transfer.js';
export * from './verify.js';
