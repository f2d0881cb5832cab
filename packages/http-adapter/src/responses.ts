import { type AcsError, errorBody } from './acs-errors.js';
import { SUPPORTED_VERSIONS_HEADER } from './api-versions.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': JSON_TYPE, 'api-supported-versions': SUPPORTED_VERSIONS_HEADER, ...headers },
  });
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers: { 'api-supported-versions': SUPPORTED_VERSIONS_HEADER, ...headers } });
}

/** Every error in ACS's shape, with `x-ms-error-code` as ACS sends it. */
export function acsErrorResponse(error: AcsError, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(errorBody(error)), {
    status: error.status,
    headers: { 'content-type': JSON_TYPE, 'x-ms-error-code': error.code, ...headers },
  });
}
