export { type AcsError, type AcsErrorDetail, errorBody, fromUsherError } from './acs-errors.js';
export { API_VERSIONS, type ApiVersion, isApiVersion, shapeOf, type VersionShape } from './api-versions.js';
export { type AccessKey, authenticate, contentHash, DEFAULT_CLOCK_SKEW_MS, signRequest } from './auth.js';
export { DEFAULT_MAX_BODY_BYTES } from './body.js';
export { createHttpHandler, type HttpAdapterOptions } from './handler.js';
export { openApiDocument } from './openapi.js';
export { REPEATABILITY_WINDOW_MS } from './repeatability.js';
export { wireTime } from './wire.js';
