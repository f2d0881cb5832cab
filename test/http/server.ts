import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { createRoomService, type EventStore, parseTenantId } from '@usher/core';
import { joseAccessTokens, randomIds, systemClock, validateEndpoint } from '@usher/core/runtime';
import { type AccessKey, createHttpHandler, signRequest } from '@usher/http-adapter';
import { createSqliteStore } from '@usher/store-sqlite';
import { temporaryDirectory, withReadLatency } from '../support/stores.js';

export const KEY_A = Buffer.alloc(32, 7).toString('base64');
export const KEY_B = Buffer.alloc(32, 9).toString('base64');

export interface TestServer {
  readonly endpoint: string;
  readonly store: EventStore;
  connectionString(key?: string): string;
  /** A request signed the way the ACS SDK signs it. */
  signed(
    method: string,
    path: string,
    options?: { body?: string; headers?: Record<string, string>; key?: string; date?: Date; signedFor?: string; signal?: AbortSignal },
  ): Promise<Response>;
  /** Resolves once the connection that carried the latest request for `path` (path and query) has closed. */
  connectionClosed(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly pageSize?: number;
  readonly readLatencyMs?: number;
  readonly publicUrl?: string;
  readonly maxBodyBytes?: number;
  /** The store to serve (closed with the server); a new SQLite file by default. */
  readonly store?: EventStore;
}

/** The real handler on a real loopback port, over a SQLite file (or the store given), with two tenants' keys. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const directory = temporaryDirectory('http');
  const served = options.store ?? createSqliteStore({ path: join(directory.path, 'http.db') });
  const store = options.readLatencyMs === undefined ? served : withReadLatency(served, options.readLatencyMs);
  const service = createRoomService({
    store,
    clock: systemClock,
    ids: randomIds(),
    tokens: joseAccessTokens(store.signingKeys, systemClock),
    webhooks: { validate: (subscription) => validateEndpoint(subscription) },
  });
  const keys: AccessKey[] = [
    { tenantId: parseTenantId('tenant-a')._unsafeUnwrap(), key: KEY_A },
    { tenantId: parseTenantId('tenant-b')._unsafeUnwrap(), key: KEY_B },
  ];
  const handler = createHttpHandler({
    service,
    clock: systemClock,
    keys,
    pageSize: options.pageSize,
    publicUrl: options.publicUrl,
    maxBodyBytes: options.maxBodyBytes,
  });
  const server: Server = createServer(handler.listener);
  const sockets = new Map<string, Socket>();
  server.on('request', (request: IncomingMessage) => {
    if (request.url !== undefined) sockets.set(request.url, request.socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    endpoint,
    store,
    connectionString: (key = KEY_A) => `endpoint=${endpoint};accesskey=${key}`,
    signed: (method, path, request = {}) => {
      const url = new URL(path, endpoint);
      const body = request.body ?? '';
      const signedUrl = request.signedFor === undefined ? url : new URL(path, request.signedFor);
      const auth = signRequest({ method, url: signedUrl, body, date: request.date ?? new Date() }, request.key ?? KEY_A);
      return fetch(url, { method, body: body === '' ? undefined : body, headers: { ...auth, ...(request.headers ?? {}) }, signal: request.signal });
    },
    connectionClosed: (path) => {
      const socket = sockets.get(path);
      if (socket === undefined || socket.closed) return Promise.resolve();
      return new Promise((resolve) => socket.once('close', () => resolve()));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      directory.remove();
    },
  };
}
