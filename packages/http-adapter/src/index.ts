export { type AcsError, type AcsErrorDetail, errorBody } from './acs-errors.js';
export { API_VERSIONS, type ApiVersion, IDENTITY_API_VERSIONS, isApiVersion, shapeOf, type VersionShape } from './api-versions.js';
export {
  type AccessKey,
  type AuthenticationOptions,
  authenticate,
  contentHash,
  DEFAULT_SIGNATURE_WINDOW,
  type SignatureWindow,
  signRequest,
} from './auth.js';
export { DEFAULT_MAX_BODY_BYTES, MAX_JSON_DEPTH } from './body.js';
export { type ApiError, type HttpError, toAcsError } from './errors.js';
export { createHttpHandler, type HttpAdapterOptions } from './handler.js';
export { openApiDocument } from './openapi/document.js';
export type { RequestRecord } from './telemetry.js';
export { wireTime } from './wire.js';
