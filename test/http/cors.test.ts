import { join } from 'node:path';
import { signRequest } from '@usher/http-adapter';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/stores.js';
import { type StartedProcess, startUsher } from '../support/usher-process.js';

const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.com';

describe('browsers (usher serve --cors-origin)', () => {
  const directory = temporaryDirectory('cors');
  let server: StartedProcess | undefined;
  afterAll(() => {
    server?.signal('SIGKILL');
    directory.remove();
  });

  const preflight = (endpoint: string, origin: string) =>
    fetch(new URL('/rooms?api-version=2025-03-13', endpoint), {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-ms-date, x-ms-content-sha256',
      },
    });
  const signedPost = (endpoint: string, key: string, origin: string) => {
    const url = new URL('/rooms?api-version=2025-03-13', endpoint);
    return fetch(url, {
      method: 'POST',
      body: '{}',
      headers: { ...signRequest({ method: 'POST', url, body: '{}', date: new Date() }, key), 'content-type': 'application/json', origin },
    });
  };

  it('answers an allowed origin’s preflight before authentication, and lets it read what it is answered; another origin gets nothing', async () => {
    server = await startUsher(['--db', join(directory.path, 'cors.db'), '--cors-origin', APP, '--cors-origin', 'http://localhost:3000']);
    const allowed = await preflight(server.endpoint, APP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT,PATCH,DELETE');
    expect(allowed.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining(['authorization', 'x-ms-date', 'x-ms-content-sha256', 'repeatability-request-id', 'repeatability-first-sent']),
    );

    const created = await signedPost(server.endpoint, server.key, APP);
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(APP);
    expect(created.headers.get('access-control-expose-headers')).toContain('location');
    // A refusal is readable too, so that the page can say why.
    const unsigned = await fetch(new URL('/rooms?api-version=2025-03-13', server.endpoint), { headers: { origin: APP } });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('access-control-allow-origin')).toBe(APP);

    const other = await preflight(server.endpoint, OTHER);
    expect(other.status).toBe(204);
    expect([...other.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    const fromOther = await signedPost(server.endpoint, server.key, OTHER);
    expect(fromOther.status).toBe(201);
    expect(fromOther.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is off by default: a preflight is a request like any other, and is refused unsigned', async () => {
    const plain = await startUsher(['--db', join(directory.path, 'plain.db')]);
    try {
      const answer = await preflight(plain.endpoint, APP);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      plain.signal('SIGTERM');
      await plain.exit;
    }
  });
});
