import type { RoomService, TenantId } from '@usher/core';
import type { Hono } from 'hono';
import type { ApiVersion, VersionShape } from './api-versions.js';
import type { ApiDescription } from './openapi/parts.js';
import type { Validators } from './schemas.js';

/** What the gate established about a request before any route sees it. */
export interface RequestContext {
  readonly tenantId: TenantId;
  readonly shape: VersionShape;
  /** The body as received: the gate reads it once, to check the signature over it. */
  readonly body: string;
  readonly url: URL;
}

export type Env = { Variables: { request: RequestContext } };

/** What every route module is built from. */
export interface RouteDeps {
  readonly service: RoomService;
  readonly validators: ReadonlyMap<ApiVersion, Validators>;
  /** Items per page when the client gives no `maxpagesize` (the store's default when undefined). */
  readonly pageSize: number | undefined;
}

export function validatorsFor(deps: RouteDeps, context: RequestContext): Validators {
  const validators = deps.validators.get(context.shape.version);
  if (validators === undefined) throw new Error(`no validators for api-version ${context.shape.version}`);
  return validators;
}

/** The actor recorded in the events a request causes. */
export const actorOf = (context: RequestContext) => ({ actor: `tenant:${context.tenantId}` });

/** A resource of the API: its routes, mounted behind the gate, and its part of the OpenAPI document. */
export interface RouteModule {
  readonly routes: (deps: RouteDeps) => Hono<Env>;
  readonly api: ApiDescription;
}
