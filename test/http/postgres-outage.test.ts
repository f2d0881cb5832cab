import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRoomService, parseTenantId } from '@usher/core';
import { randomIds, systemClock } from '@usher/core/runtime';
import { createHttpHandler, signRequest } from '@usher/http-adapter';
import { createPostgresStore } from '@usher/store-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { tcpProxy } from '../support/tcp-proxy.js';
import { KEY_A } from './server.js';

const url = postgresUrl();

describe.skipIf(url === null)('a node whose PostgreSQL goes away', () => {
  const factory = postgresFactory(url ?? '');
  afterAll(() => factory.dispose());

  it('answers 503 in the ACS error shape while the database is gone, and recovers when it returns', async () => {
    const schema = factory.schemaOf(await factory.open());
    const target = new URL(url ?? '');
    const proxy = await tcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(url ?? '');
    viaProxy.port = String(proxy.port);
    const store = createPostgresStore({ connectionString: viaProxy.toString(), schema, poolSize: 2, connectionTimeoutMs: 1000 });
    const service = createRoomService({ store, clock: systemClock, ids: randomIds() });
    const handler = createHttpHandler({ service, clock: systemClock, keys: [{ tenantId: parseTenantId('t')._unsafeUnwrap(), key: KEY_A }] });
    const server = createServer(handler.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const request = (method: string, path: string, body = '') => {
      const target = new URL(path, endpoint);
      return fetch(target, {
        method,
        body: body === '' ? undefined : body,
        headers: { ...signRequest({ method, url: target, body, date: new Date() }, KEY_A), 'content-type': 'application/json' },
      });
    };

    const created = await request('POST', '/rooms?api-version=2025-03-13', '{}');
    expect(created.status).toBe(201);
    const room = (await created.json()) as { id: string };

    expect((await fetch(`${endpoint}/readyz`)).status).toBe(200);
    await proxy.cut();
    // Not ready while the database is gone (a balancer stops sending requests); alive all the same.
    const unready = await fetch(`${endpoint}/readyz`);
    expect(unready.status).toBe(503);
    expect(await unready.json()).toEqual({ status: 'unavailable', reason: 'The store does not answer.' });
    expect((await fetch(`${endpoint}/healthz`)).status).toBe(200);
    for (const [method, path, body] of [
      ['GET', `/rooms/${room.id}?api-version=2025-03-13`, ''],
      ['POST', '/rooms?api-version=2025-03-13', '{}'],
      ['GET', '/rooms?api-version=2025-03-13', ''],
    ] as const) {
      const response = await request(method, path, body);
      expect(response.status).toBe(503);
      expect(response.headers.get('x-ms-error-code')).toBe('ServiceUnavailable');
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/unavailable/);
    }

    await proxy.restore();
    expect((await fetch(`${endpoint}/readyz`)).status).toBe(200);
    const back = await request('GET', `/rooms/${room.id}?api-version=2025-03-13`);
    expect(back.status).toBe(200);
    expect(((await back.json()) as { id: string }).id).toBe(room.id);

    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    await proxy.close();
  });
});
