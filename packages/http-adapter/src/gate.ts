import type { Clock } from '@usher/core';
import type { MiddlewareHandler } from 'hono';
import { err, ok, type Result } from 'neverthrow';
import { acsError } from './acs-errors.js';
import { API_VERSIONS, isApiVersion, shapeOf } from './api-versions.js';
import { type AccessKey, authenticate, type SignatureWindow } from './auth.js';
import { readBody } from './body.js';
import type { Env, RequestContext } from './context.js';
import { errorResponse, type HttpError, refused } from './errors.js';

export interface GateOptions {
  readonly keys: readonly AccessKey[];
  readonly clock: Clock;
  readonly signatureWindow: SignatureWindow;
  /** The host clients sign for, when the server knows its public URL. */
  readonly signedHost: string | undefined;
  readonly maxBodyBytes: number;
}

/** Body, signature, then api-version: nothing about the API is said to a caller who did not sign. */
async function admit(request: Request, options: GateOptions): Promise<Result<RequestContext, HttpError>> {
  const body = await readBody(request, options.maxBodyBytes);
  if (body.isErr()) return err(body.error);
  const url = new URL(request.url);
  const tenant = authenticate({ method: request.method, url, headers: request.headers, body: body.value }, options.keys, {
    now: options.clock.now(),
    window: options.signatureWindow,
    host: options.signedHost,
  });
  if (tenant.isErr()) return err(refused(tenant.error));
  const version = url.searchParams.get('api-version');
  if (version === null) {
    return err(refused(acsError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.')));
  }
  if (!isApiVersion(version)) {
    return err(
      refused(
        acsError(
          400,
          'UnsupportedApiVersion',
          `The HTTP resource that matches the request URI '${url.pathname}' does not support the API version '${version}'. Supported: ${API_VERSIONS.join(', ')}.`,
        ),
      ),
    );
  }
  return ok({ tenantId: tenant.value, shape: shapeOf(version), body: body.value, url });
}

/** The authentication and api-version gate, as middleware: a route runs only for a signed request of a known version. */
export function requestGate(options: GateOptions): MiddlewareHandler<Env> {
  return async (c, next) => {
    const context = await admit(c.req.raw, options);
    if (context.isErr()) return errorResponse(context.error);
    c.set('request', context.value);
    await next();
  };
}
