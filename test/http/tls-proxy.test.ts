import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/stores.js';
import { ROOT, type StartedProcess, startUsher } from '../support/usher-process.js';

const run = promisify(execFile);

/**
 * The official Rooms SDK in a process of its own, with default options (no allowInsecureConnection),
 * trusting the test's certificate authority the way a deployment trusts its own: NODE_EXTRA_CA_CERTS.
 */
async function sdkRun(connectionString: string, caFile: string): Promise<{ pages: number; listed: number; created: number; deleted: boolean }> {
  // Inside the repository, so that the script resolves the SDK as a user's project does.
  const scratch = join(ROOT, 'test', '.tmp');
  mkdirSync(scratch, { recursive: true });
  const script = join(scratch, `sdk-https-${process.pid}.mjs`);
  writeFileSync(
    script,
    `import { RoomsClient } from '@azure/communication-rooms';
const client = new RoomsClient(process.env.CONNECTION_STRING);
const created = [];
for (let n = 0; n < 5; n += 1) created.push((await client.createRoom()).id);
let pages = 0;
const listed = [];
for await (const page of client.listRooms().byPage()) { pages += 1; listed.push(...page.map((room) => room.id)); }
await client.deleteRoom(created[0]);
let deleted = false;
try { await client.getRoom(created[0]); } catch (error) { deleted = error.statusCode === 404; }
console.log(JSON.stringify({ pages, listed: new Set(listed).size, created: created.filter((id) => listed.includes(id)).length, deleted }));
`,
  );
  try {
    // Not execFileSync: the proxy answering the SDK runs in this process.
    const { stdout: output } = await run(process.execPath, [script], {
      env: { ...process.env, CONNECTION_STRING: connectionString, NODE_EXTRA_CA_CERTS: caFile },
      encoding: 'utf8',
    });
    return JSON.parse(output) as { pages: number; listed: number; created: number; deleted: boolean };
  } finally {
    rmSync(script, { force: true });
  }
}

/** A TLS-terminating reverse proxy on loopback that forwards `prefix…` to the server as `/…`, saying where it was reached. */
async function tlsProxy(cert: Buffer, key: Buffer, prefix: string) {
  let target = '';
  const server: Server = createHttpsServer({ cert, key }, (incoming, outgoing) => {
    const path = (incoming.url ?? '/').startsWith(prefix) ? (incoming.url ?? '/').slice(prefix.length - 1) : (incoming.url ?? '/');
    const forward = httpRequest(
      new URL(path, target),
      {
        method: incoming.method,
        headers: { ...incoming.headers, host: new URL(target).host, 'x-forwarded-proto': 'https', 'x-forwarded-host': incoming.headers.host ?? '' },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`,
    forwardTo: (endpoint: string) => {
      target = endpoint;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('HTTPS and proxies, with the official SDK', () => {
  const directory = temporaryDirectory('tls');
  const running: StartedProcess[] = [];
  const certFile = join(directory.path, 'cert.pem');
  const keyFile = join(directory.path, 'key.pem');
  let cert: Buffer;
  let key: Buffer;
  beforeAll(() => {
    // A self-signed certificate for the loopback address, made for this test.
    execFileSync('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'],
      ...['-keyout', keyFile, '-out', certFile, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ]);
    cert = execFileSync('cat', [certFile]);
    key = execFileSync('cat', [keyFile]);
  });
  afterAll(() => {
    for (const server of running) if (server.child.exitCode === null && server.child.signalCode === null) server.signal('SIGKILL');
    directory.remove();
  });

  it('serves HTTPS with --tls-cert and --tls-key: the SDK creates, lists across three pages and deletes with default options', async () => {
    const server = await startUsher(['--db', join(directory.path, 'tls.db'), '--tls-cert', certFile, '--tls-key', keyFile, '--page-size', '2']);
    running.push(server);
    expect(server.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const result = await sdkRun(`endpoint=${server.endpoint};accesskey=${server.key}`, certFile);
    expect(result).toEqual({ pages: 3, listed: 5, created: 5, deleted: true });
  });

  it('behind a TLS-terminating proxy (--public-url): links and signatures are the public ones', async () => {
    // The SDKs take no base path in an endpoint, so the proxy forwards from its root here.
    const proxy = await tlsProxy(cert, key, '/');
    try {
      const server = await startUsher(['--db', join(directory.path, 'public.db'), '--public-url', proxy.url, '--page-size', '2']);
      running.push(server);
      proxy.forwardTo(server.endpoint);
      const result = await sdkRun(`endpoint=${proxy.url};accesskey=${server.key}`, certFile);
      expect(result).toEqual({ pages: 3, listed: 5, created: 5, deleted: true });
    } finally {
      await proxy.close();
    }
  });

  it('behind a proxy it trusts (--trust-proxy): scheme and host from X-Forwarded-*', async () => {
    const proxy = await tlsProxy(cert, key, '/');
    try {
      const server = await startUsher(['--db', join(directory.path, 'trusted.db'), '--trust-proxy', '--page-size', '2']);
      running.push(server);
      proxy.forwardTo(server.endpoint);
      const result = await sdkRun(`endpoint=${proxy.url};accesskey=${server.key}`, certFile);
      expect(result).toEqual({ pages: 3, listed: 5, created: 5, deleted: true });
      // Without either flag the server takes the proxy's request for its own: the signature, made for the proxy's host, is refused.
      const plain = await startUsher(['--db', join(directory.path, 'plain.db')]);
      running.push(plain);
      proxy.forwardTo(plain.endpoint);
      await expect(sdkRun(`endpoint=${proxy.url};accesskey=${plain.key}`, certFile)).rejects.toThrow(/signature does not match|401/);
    } finally {
      await proxy.close();
    }
  });
});
