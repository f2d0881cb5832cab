export { checkAccessKey, keyFileFor, persistedAccessKey } from './access-key.js';
export { DEFAULT_TENANT, type RunningServer, type ServeOptions, serve } from './serve.js';
