import { connect } from 'node:net';
import { join } from 'node:path';
import { serve } from '@usher/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/stores.js';
import { KEY_A } from './server.js';

/** Sends `text` on a fresh connection and never finishes the request: resolves with what the server said before it hung up. */
function trickle(endpoint: string, text: string): Promise<string> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('usher serve cuts off a client that never finishes its request', () => {
  const directory = temporaryDirectory('timeouts');
  afterAll(() => directory.remove());

  it('answers 408 and hangs up when the headers, or the body, do not arrive within their timeouts', async () => {
    const server = await serve({
      port: 0,
      host: '127.0.0.1',
      db: join(directory.path, 'timeouts.db'),
      accessKey: KEY_A,
      requestTimeoutMs: 1500,
      headersTimeoutMs: 500,
      requestLog: false,
    });
    try {
      const [headers, body] = await Promise.all([
        trickle(server.endpoint, 'POST /rooms?api-version=2025-03-13 HTTP/1.1\r\nHost: 127.0.0.1\r\n'),
        trickle(server.endpoint, 'POST /rooms?api-version=2025-03-13 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"partic'),
      ]);
      expect(headers).toMatch(/^HTTP\/1\.1 408 /);
      expect(body).toMatch(/^HTTP\/1\.1 408 /);
      expect((await fetch(new URL('/healthz', server.endpoint))).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
