import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { temporaryDirectory } from '../support/stores.js';
import { type StartedProcess, signedFetch, startUsher } from '../support/usher-process.js';

const V = 'api-version=2025-03-13';

/** The value of one sample of the Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const [series = '', value = ''] = line.split(/ (?=[^ ]+$)/);
    const bare = series === name || series.startsWith(`${name}{`);
    if (bare && wanted.every((label) => series.includes(label))) return Number(value);
  }
  return 0;
}

describe('observability (usher serve --metrics-port, request log, request ids, /readyz)', () => {
  const directory = temporaryDirectory('observability');
  let server: StartedProcess | undefined;
  afterAll(() => {
    server?.signal('SIGKILL');
    directory.remove();
  });

  it('counts a mixed workload on a listener of its own, logs one JSON line per request, and echoes request ids', async () => {
    server = await startUsher(['--db', join(directory.path, 'observed.db'), '--metrics-port', '0']);
    const { endpoint, key } = server;
    const metricsUrl = /metrics on (\S+)/.exec(server.output())?.[1] ?? '';
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const rooms: string[] = [];
    for (let n = 0; n < 3; n += 1) rooms.push(((await (await signedFetch(endpoint, key, 'POST', `/rooms?${V}`, '{}')).json()) as { id: string }).id);
    const patched = await signedFetch(
      endpoint,
      key,
      'PATCH',
      `/rooms/${rooms[0]}/participants?${V}`,
      JSON.stringify({ participants: { '8:acs:observed_1': {} } }),
    );
    expect(patched.status).toBe(200);
    expect((await signedFetch(endpoint, key, 'GET', `/rooms/${rooms[1]}?${V}`)).status).toBe(200);
    expect((await signedFetch(endpoint, key, 'GET', `/rooms/99000000000000001?${V}`)).status).toBe(404);
    const unsigned = await fetch(new URL(`/rooms?${V}`, endpoint), { headers: { 'x-ms-client-request-id': 'client-id-42' } });
    expect(unsigned.status).toBe(401);
    // Every answer carries a correlation vector, as ACS's do, and the client's own id when it sent one.
    expect(unsigned.headers.get('ms-cv')).toMatch(/^[A-Za-z0-9+/]{22}\.[0-9]+$/);
    expect(unsigned.headers.get('x-ms-client-request-id')).toBe('client-id-42');
    expect((await fetch(new URL('/metrics', endpoint))).status).toBe(404);

    const text = await (await fetch(metricsUrl)).text();
    expect(sample(text, 'usher_http_requests_total', { route: '/rooms', method: 'POST', status: '201' })).toBe(3);
    expect(sample(text, 'usher_http_requests_total', { route: '/rooms/:roomId/participants', method: 'PATCH', status: '200' })).toBe(1);
    expect(sample(text, 'usher_http_requests_total', { route: '/rooms/:roomId', method: 'GET', status: '200' })).toBe(1);
    expect(sample(text, 'usher_http_requests_total', { route: '/rooms/:roomId', method: 'GET', status: '404' })).toBe(1);
    expect(sample(text, 'usher_http_requests_total', { route: '/rooms', method: 'GET', status: '401' })).toBe(1);
    expect(sample(text, 'usher_http_request_duration_seconds_count', { route: '/rooms', method: 'POST' })).toBe(3);
    expect(sample(text, 'usher_store_appends_total')).toBe(4);
    expect(sample(text, 'usher_store_events_appended_total')).toBe(4);
    expect(sample(text, 'usher_store_conflicts_total')).toBe(0);
    expect(sample(text, 'usher_store_errors_total')).toBe(0);
    // Nothing of any tenant's data: no room id, no tenant, no key.
    for (const secret of [...rooms, 'default', key]) expect(text).not.toContain(secret);

    const logLines = () =>
      (server?.output() ?? '')
        .split('\n')
        .filter((line) => line.startsWith('{') && line.endsWith('}'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The lines come through a pipe: the last may still be on its way.
    await vi.waitFor(() => expect(logLines().length).toBeGreaterThanOrEqual(8), { timeout: 5_000 });
    const lines = logLines();
    expect(lines).toHaveLength(8);
    expect(lines[7]).toMatchObject({ method: 'GET', route: 'unmatched', status: 404 });
    expect(lines.find((line) => line.requestId === 'client-id-42')).toMatchObject({
      msg: 'request',
      method: 'GET',
      route: '/rooms',
      status: 401,
      tenant: null,
    });
    expect(lines[0]).toMatchObject({
      msg: 'request',
      method: 'POST',
      route: '/rooms',
      status: 201,
      tenant: 'default',
      durationMs: expect.any(Number),
    });
    expect(lines.every((line) => typeof line.msCv === 'string')).toBe(true);
    // The request log says nothing of keys, signatures or bodies (the connection string line at start is the operator's).
    const logged = JSON.stringify(lines);
    for (const secret of [key, 'authorization', 'HMAC-SHA256', '8:acs:observed_1']) expect(logged.toLowerCase()).not.toContain(secret.toLowerCase());
    // Alive and ready.
    expect((await fetch(new URL('/readyz', endpoint))).status).toBe(200);
  });
});
