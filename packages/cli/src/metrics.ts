import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventStore, StoreError, UsherError } from '@usher/core';
import type { RequestRecord } from '@usher/http-adapter';
import type { ResultAsync } from 'neverthrow';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * What `usher serve` counts, in the Prometheus text format. Labels are routes (patterns, never ids),
 * methods, statuses and operations: nothing of any tenant's data.
 */
export function serverMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'usher_' });
  const requests = new Counter({
    name: 'usher_http_requests_total',
    help: 'Requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'usher_http_request_duration_seconds',
    help: 'Time to answer a request, by route and method.',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const appends = new Counter({ name: 'usher_store_appends_total', help: 'Appends to the event log that wrote events.', registers: [registry] });
  const events = new Counter({ name: 'usher_store_events_appended_total', help: 'Events appended to the log.', registers: [registry] });
  const conflicts = new Counter({
    name: 'usher_store_conflicts_total',
    help: 'Appends refused because another writer appended to the stream first.',
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'usher_store_errors_total',
    help: 'Store operations that failed, by operation.',
    labelNames: ['operation'],
    registers: [registry],
  });

  return {
    registry,
    onRequest(record: RequestRecord) {
      requests.inc({ route: record.route, method: record.method, status: String(record.status) });
      duration.observe({ route: record.route, method: record.method }, record.durationMs / 1000);
    },
    /** The store, counting its appends, conflicts and failures as they pass. */
    counted(store: EventStore): EventStore {
      const failed = (operation: string) => (error: StoreError | UsherError) => {
        if (error.type === 'StoreFailure') storeErrors.inc({ operation });
        return error;
      };
      return new Proxy(store, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== 'function' || typeof property !== 'string') return value;
          return (...args: unknown[]) => {
            const result = (value as (...parameters: unknown[]) => unknown).apply(target, args);
            if (result === null || typeof result !== 'object' || !('mapErr' in result)) return result;
            const counted = (result as ResultAsync<unknown, StoreError>).mapErr((error) => {
              if (property === 'append' && (error as { type: string }).type === 'Concurrency') conflicts.inc();
              return failed(property)(error);
            });
            if (property !== 'append') return counted;
            return counted.map((appended) => {
              const written = (appended as { events: readonly unknown[]; replayed: boolean }).replayed
                ? 0
                : (appended as { events: readonly unknown[] }).events.length;
              if (written > 0) {
                appends.inc();
                events.inc(written);
              }
              return appended;
            });
          };
        },
      });
    },
  };
}

export type ServerMetrics = ReturnType<typeof serverMetrics>;

/** `GET /metrics` on a listener of its own, so that the API's port never serves it. */
export async function startMetricsListener(metrics: ServerMetrics, port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
