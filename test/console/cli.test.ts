import { request as httpRequest } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/stores.js';
import { MAIN, ROOT, type StartedProcess, signedFetch, startProcess, startUsher, usher } from '../support/usher-process.js';

const VERSION = 'api-version=2025-03-13';

/** `usher console` from the built CLI, once it prints its address (the whole line, so the address is whole). */
const startConsole = (args: string[]) => startProcess(process.execPath, [MAIN, 'console', ...args], {}, /^console: (http:\/\/\S+)\n/m);

/** A GET over real HTTP with a Host header of our choosing (fetch sends the one of its address). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const asked = httpRequest(url, { headers: { host } }, (answer) => {
      answer.resume();
      answer.once('end', () => resolve(answer.statusCode ?? 0));
    });
    asked.once('error', reject);
    asked.end();
  });
}

describe('usher console', () => {
  const directory = temporaryDirectory('console-cli');
  afterAll(() => directory.remove());

  const started: StartedProcess[] = [];
  afterEach(async () => {
    const running = started.splice(0);
    for (const child of running) {
      try {
        child.signal('SIGTERM');
      } catch {
        // It has ended already.
      }
    }
    await Promise.all(running.map((child) => child.exit));
  });

  /** `usher serve` on a new database file, with one room made through its API: the file and the room's id. */
  async function servedRoom(name: string): Promise<{ db: string; roomId: string }> {
    const db = join(directory.path, `${name}.db`);
    const api = await startUsher(['--db', db, '--no-request-log']);
    started.push(api);
    const created = await signedFetch(api.endpoint, api.key, 'POST', `/rooms?${VERSION}`, JSON.stringify({ participants: {} }));
    expect(created.status, await created.clone().text()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    return { db, roomId: id };
  }

  it('refuses a database file that does not exist, naming it, with exit code 2', async () => {
    // Given a path where there is no database
    const missing = join(directory.path, 'nowhere', 'missing.db');

    // When the console is started on it
    const { code, stderr } = await usher('console', '--db', missing, '--port', '0');

    // Then it exits 2, saying which file is missing, and only that
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`There is no database at ${missing}: give --db the file \`usher serve\` writes, or --postgres.`);

    // And a token too short to guard anything is refused the same way
    const short = await usher('console', '--db', join(ROOT, 'package.json'), '--host', '0.0.0.0', '--token', 'short', '--port', '0');
    expect(short.code).toBe(2);
    expect(short.stderr.trim()).toBe('A console token is at least 16 characters.');
  });

  it('off loopback, prints an address with a login token, and reads the database usher serve writes only with it', async () => {
    // Given usher serve running on a database with a room
    const { db, roomId } = await servedRoom('shared');

    // When the console is started on the same file, on every interface
    const web = await startConsole(['--db', db, '--host', '0.0.0.0', '--port', '0']);
    started.push(web);

    // Then it prints its address, by the machine's name, with a token
    const printed = new URL(web.endpoint);
    expect(`${printed.protocol}//${printed.hostname}${printed.pathname}`).toBe(`http://${hostname().toLowerCase()}/`);
    expect(printed.port).toMatch(/^[0-9]+$/);
    const token = printed.searchParams.get('token') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(web.output()).toContain('anyone holding this address can read every room');
    const base = `http://127.0.0.1:${printed.port}/`;

    // And without the token it is refused
    const without = await fetch(base, { redirect: 'manual' });
    expect(without.status).toBe(401);
    expect(await without.text()).toContain('This console needs its login token');

    // And with the token it redirects to the address without it, setting a cookie
    const login = await fetch(`${base}?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);

    // And with the cookie it lists the room usher serve made
    const rooms = await fetch(base, { headers: { cookie: cookie.split(';')[0] ?? '' }, redirect: 'manual' });
    expect(rooms.status).toBe(200);
    expect(await rooms.text()).toContain(`<code>${roomId}</code>`);
  });

  it('on loopback by default, prints an address without a token, and answers only to loopback host names', async () => {
    // Given a database usher serve wrote, with a room
    const { db, roomId } = await servedRoom('loopback');

    // When the console is started on it with its defaults
    const web = await startConsole(['--db', db, '--port', '0']);
    started.push(web);

    // Then it prints a loopback address without a token, and that address answers with the room
    expect(web.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+\/$/);
    const rooms = await fetch(web.endpoint);
    expect(rooms.status).toBe(200);
    expect(await rooms.text()).toContain(`<code>${roomId}</code>`);

    // And a request for another host name (a rebound DNS name) is refused
    const { port } = new URL(web.endpoint);
    expect(await getWithHost(web.endpoint, `evil.example:${port}`)).toBe(403);
    expect(await getWithHost(web.endpoint, `localhost:${port}`)).toBe(200);
  });

  it('stops cleanly on SIGTERM', async () => {
    // Given a console running on a database
    const { db } = await servedRoom('stopping');
    const web = await startConsole(['--db', db, '--port', '0']);
    started.push(web);

    // When it is sent SIGTERM
    web.signal('SIGTERM');

    // Then it exits 0, saying so
    expect(await web.exit).toBe(0);
    expect(web.output()).toContain('SIGTERM: shutting down');
  });

  it('--help shows the examples and the --host and --token options', async () => {
    // When the console's help is asked for
    const { code, stdout } = await usher('console', '--help');

    // Then it names its options and shows how to start it
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+--host <host>\s+interface to listen on; on one that is not loopback a login/m);
    expect(stdout).toMatch(/^\s+--token <token>\s+the login token/m);
    expect(stdout).toContain('env: USHER_CONSOLE_TOKEN');
    expect(stdout).toContain('Examples:\n  $ usher console --db usher.db\n');
    expect(stdout).toContain('$ usher console --postgres postgres://localhost/usher --host 0.0.0.0 --port 8081');
  });
});
