import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createRoomService, parseTenantId } from '@usher/core';
import {
  jitteredRetries,
  joseAccessTokens,
  randomIds,
  startCallExpiry,
  startWebhookDispatcher,
  systemClock,
  validateEndpoint,
  type WebhookRetryPolicy,
} from '@usher/core/runtime';
import { createHttpHandler } from '@usher/http-adapter';
import { checkPostgresSchema, createPostgresStore } from '@usher/store-postgres';
import { createSqliteStore, DEFAULT_SYNCHRONOUS, type SqliteSynchronous } from '@usher/store-sqlite';
import { destination, pino } from 'pino';
import { serverMetrics, startMetricsListener } from './metrics.js';

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  /** A PostgreSQL URL: serve from it instead of the SQLite file (several nodes may share it). */
  readonly postgres?: string | undefined;
  /** The PostgreSQL schema (default `usher`). */
  readonly schema?: string | undefined;
  /** SQLite durability (default `FULL`): `NORMAL` may lose the last commits on power loss (typically those of the last ~50 ms), never on a crash. */
  readonly synchronous?: SqliteSynchronous | undefined;
  readonly accessKey: string;
  /** Items per listing page when the client asks for no size (default 50). */
  readonly pageSize?: number | undefined;
  /** How long a client may take to send a whole request, headers and body (default 30 s). */
  readonly requestTimeoutMs?: number | undefined;
  /** How long a client may take to send the headers of a request (default 10 s). */
  readonly headersTimeoutMs?: number | undefined;
  /** How long this node's hold on the call-expiry schedule lasts; another node takes over at most this long after it dies (default 10 s). */
  readonly expiryLeaseMs?: number | undefined;
  /** How long this node's hold on webhook delivery lasts (default 10 s). */
  readonly webhookLeaseMs?: number | undefined;
  /** Webhook retries (defaults as Event Grid's: 30 attempts, 24 hours, waits from 10 s doubling up to 1 h). */
  readonly webhookRetry?: Partial<WebhookRetryPolicy> | undefined;
  /** How long an endpoint may take to answer a delivery or the validation handshake (default 30 s). */
  readonly webhookTimeoutMs?: number | undefined;
  /** PEM files: with both, the server speaks HTTPS. */
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  /** The URL clients reach the server at, through a proxy: links and signatures use its scheme, host and base path. */
  readonly publicUrl?: string | undefined;
  /** Take scheme and host from the proxy's Forwarded / X-Forwarded-* headers. */
  readonly trustProxy?: boolean | undefined;
  /** Web origins whose browsers may call the API (CORS); none by default. */
  readonly corsOrigins?: readonly string[] | undefined;
  /** Requests per second per access key and per user token; unlimited by default. */
  readonly rateLimit?: number | undefined;
  /** Serve `GET /metrics` (Prometheus) on this port of the same host; off by default. */
  readonly metricsPort?: number | undefined;
  /** One JSON line per request (pino) on standard output; default true. */
  readonly requestLog?: boolean | undefined;
}

export const DEFAULT_TENANT = 'default';
/**
 * Standard output, written 4 KB at a time and at least every 100 ms: a write of its own for every
 * line cost a trip to the thread pool per request, ~10% of a signed PATCH's CPU under load. The lines
 * held are written on a clean exit; a SIGKILL loses at most those.
 */
const REQUEST_LOG_DESTINATION = { dest: 1, minLength: 4096, periodicFlush: 100 };
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_EXPIRY_LEASE_MS = 10_000;
export const DEFAULT_WEBHOOK_LEASE_MS = 10_000;

export interface RunningServer {
  readonly endpoint: string;
  /** Where `GET /metrics` is served, when it is. */
  readonly metricsEndpoint: string | null;
  readonly connectionString: string;
  /** What it serves from: the SQLite file and its durability, or PostgreSQL. */
  readonly store: string;
  close(): Promise<void>;
}

/** The certificate and key to serve HTTPS with; null for plain HTTP. Throws when only one is given or a file cannot be read. */
function tlsOf(options: Pick<ServeOptions, 'tlsCert' | 'tlsKey'>): { cert: Buffer; key: Buffer } | null {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return null;
  if (options.tlsCert === undefined || options.tlsKey === undefined) throw new Error('HTTPS needs both --tls-cert and --tls-key.');
  return { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) };
}

/** Opens the store (SQLite, or PostgreSQL when given) and serves the API on it until `close()`. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  // Before anything is opened: a missing or unreadable certificate is a mistake to say at once.
  const tls = tlsOf(options);
  const postgres = options.postgres === undefined ? undefined : { connectionString: options.postgres, schema: options.schema };
  if (postgres !== undefined) await checkPostgresSchema(postgres);
  const synchronous = options.synchronous ?? DEFAULT_SYNCHRONOUS;
  const opened = postgres === undefined ? createSqliteStore({ path: options.db, synchronous }) : createPostgresStore(postgres);
  const metrics = options.metricsPort === undefined ? null : serverMetrics();
  const store = metrics === null ? opened : metrics.counted(opened);
  const log = options.requestLog === false ? null : pino({ base: null }, destination(REQUEST_LOG_DESTINATION));
  const tokens = joseAccessTokens(store.signingKeys, systemClock);
  // Nodes of one PostgreSQL database (and processes of one SQLite file) may write a room at once: retry, with jitter, until a deadline.
  const webhooks = {
    validate: (subscription: Parameters<typeof validateEndpoint>[0]) => validateEndpoint(subscription, { timeoutMs: options.webhookTimeoutMs }),
  };
  const service = createRoomService({ store, clock: systemClock, ids: randomIds(), tokens, retry: jitteredRetries(), webhooks });
  const tenantId = parseTenantId(DEFAULT_TENANT)._unsafeUnwrap();
  const handler = createHttpHandler({
    service,
    clock: systemClock,
    keys: [{ tenantId, key: options.accessKey }],
    pageSize: options.pageSize,
    publicUrl: options.publicUrl,
    trustProxy: options.trustProxy,
    corsOrigins: options.corsOrigins,
    rateLimit: options.rateLimit === undefined ? undefined : { perSecond: options.rateLimit },
    onRequest: (record) => {
      metrics?.onRequest(record);
      log?.info(
        {
          requestId: record.requestId,
          msCv: record.msCv,
          method: record.method,
          route: record.route,
          status: record.status,
          durationMs: Math.round(record.durationMs * 1000) / 1000,
          tenant: record.tenantId,
        },
        'request',
      );
    },
  });
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
  // Node's defaults let a client trickle a request for 300 s; the timeouts are checked every second, not every 30.
  const timeouts = { requestTimeout, headersTimeout, connectionsCheckingInterval: 1000 };
  const server = tls === null ? createServer(timeouts, handler.listener) : createHttpsServer({ ...timeouts, ...tls }, handler.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const expiry = startCallExpiry(service, {
    holder: `${hostname()}:${process.pid}`,
    leaseMs: options.expiryLeaseMs ?? DEFAULT_EXPIRY_LEASE_MS,
    onError: (error) => console.error('call expiry round failed:', error),
  });
  const dispatcher = startWebhookDispatcher({
    store,
    holder: `${hostname()}:${process.pid}`,
    leaseMs: options.webhookLeaseMs ?? DEFAULT_WEBHOOK_LEASE_MS,
    retry: options.webhookRetry,
    timeoutMs: options.webhookTimeoutMs,
    onError: (error) => console.error('webhooks:', error instanceof Error ? error.message : error),
  });
  const metricsListener = metrics === null ? null : await startMetricsListener(metrics, options.metricsPort ?? 0, options.host);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const endpoint = `${tls === null ? 'http' : 'https'}://${host}:${port}/`;
  return {
    endpoint,
    connectionString: `endpoint=${endpoint};accesskey=${options.accessKey}`,
    store: postgres === undefined ? `${options.db} (SQLite, synchronous ${synchronous})` : 'PostgreSQL',
    metricsEndpoint: metricsListener === null ? null : `http://${host}:${metricsListener.port}/metrics`,
    close: async () => {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([expiry.stop(), dispatcher.stop(), metricsListener?.close()]);
      if (log !== null) await new Promise<void>((resolve) => log.flush(() => resolve()));
      await store.close();
    },
  };
}
