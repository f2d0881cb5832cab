import type { Caller, RoomService, TenantId } from '@usher/core';
import type { Hono } from 'hono';
import type { ApiVersion, VersionShape } from './api-versions.js';
import type { NodeIncoming } from './body.js';
import type { ApiDescription } from './openapi/parts.js';
import type { Validators } from './schemas.js';

/** Who a request comes from: a server with an access key (HMAC), or a user with an access token (the call API only). */
export type Principal = { readonly kind: 'server' } | { readonly kind: 'user'; readonly caller: Caller };

/** What the gate established about a request before any route sees it. */
export interface RequestContext {
  readonly tenantId: TenantId;
  readonly principal: Principal;
  /** The api-version asked for; `shape` is the Rooms API's wire shape for it (the latest for other APIs). */
  readonly apiVersion: string;
  readonly shape: VersionShape;
  /** The body as received: the gate reads it once, to check the signature over it. */
  readonly body: string;
  readonly url: URL;
}

/** Under the Node listener, the Node request beside the web one (`@hono/node-server`'s bindings); none under `fetch`. */
export type Env = {
  Bindings: { incoming?: NodeIncoming; outgoing?: { setHeader(name: string, value: string): unknown } };
  Variables: { request: RequestContext };
};

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

/** The actor recorded in the events a request causes: the key's tenant, or the token's user. */
export const actorOf = (context: RequestContext) => ({
  actor: context.principal.kind === 'user' ? `user:${context.principal.caller.identityId}` : `tenant:${context.tenantId}`,
});

/** A resource of the API: its routes, mounted behind the gate, and its part of the OpenAPI document. */
export interface RouteModule {
  readonly routes: (deps: RouteDeps) => Hono<Env>;
  readonly api: ApiDescription;
}
