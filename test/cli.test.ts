import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signRequest } from '@usher/http-adapter';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './support/stores.js';
import { MAIN, signedFetch, startProcess as start } from './support/usher-process.js';

function repeatableCreate(endpoint: string, key: string, id: string, firstSent: Date) {
  const url = new URL('/rooms?api-version=2025-03-13', endpoint);
  const body = '{"participants":{"8:acs:cli_1":{"role":"Presenter"}}}';
  const headers = signRequest({ method: 'POST', url, body, date: new Date() }, key);
  return fetch(url, {
    method: 'POST',
    body,
    headers: { ...headers, 'content-type': 'application/json', 'repeatability-request-id': id, 'repeatability-first-sent': firstSent.toUTCString() },
  });
}

describe('usher serve', () => {
  const directory = temporaryDirectory('cli');
  afterAll(() => directory.remove());

  it('prints the connection string, keeps its generated key and its rooms across a restart, and stops cleanly on SIGTERM and SIGINT', async () => {
    const db = join(directory.path, 'usher.db');
    const first = await start(process.execPath, [MAIN, 'serve', '--port', '0', '--db', db]);
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+\/$/);
    expect(first.output()).toContain(`usher serving ${db} (SQLite, synchronous FULL) on ${first.endpoint}`);
    expect(readFileSync(`${db}.access-key`, 'utf8').trim()).toBe(first.key);
    expect((await fetch(new URL('/healthz', first.endpoint))).status).toBe(200);
    const id = crypto.randomUUID();
    const sent = new Date();
    const created = await repeatableCreate(first.endpoint, first.key, id, sent);
    expect(created.status).toBe(201);
    const room = await created.json();
    first.signal('SIGTERM');
    expect(await first.exit).toBe(0);
    // The request log writes its lines 4 KB at a time or every 100 ms; a clean stop writes what it still holds.
    expect(first.output()).toMatch(/"method":"POST","route":"\/rooms","status":201/);

    const second = await start(process.execPath, [MAIN, 'serve', '--port', '0', '--db', db]);
    expect(second.key).toBe(first.key);
    const replay = await repeatableCreate(second.endpoint, second.key, id, sent);
    expect(replay.status).toBe(201);
    expect(await replay.json()).toEqual(room);
    second.signal('SIGINT');
    expect(await second.exit).toBe(0);
  });

  it('takes its settings from PORT, USHER_DB and USHER_ACCESS_KEY', async () => {
    const key = Buffer.alloc(32, 5).toString('base64');
    const db = join(directory.path, 'env.db');
    const server = await start(process.execPath, [MAIN, 'serve'], { PORT: '0', USHER_DB: db, USHER_ACCESS_KEY: key });
    expect(server.key).toBe(key);
    expect(existsSync(db)).toBe(true);
    expect(existsSync(`${db}.access-key`)).toBe(false);
    server.signal('SIGTERM');
    expect(await server.exit).toBe(0);
  });

  it('at --synchronous NORMAL (or USHER_SQLITE_SYNCHRONOUS) says so, and loses no acknowledged write when the process is killed', async () => {
    const db = join(directory.path, 'normal.db');
    const server = await start(process.execPath, [MAIN, 'serve', '--port', '0', '--db', db], { USHER_SQLITE_SYNCHRONOUS: 'NORMAL' });
    expect(server.output()).toContain(`usher serving ${db} (SQLite, synchronous NORMAL)`);
    const created = await Promise.all(
      Array.from({ length: 20 }, () => signedFetch(server.endpoint, server.key, 'POST', '/rooms?api-version=2025-03-13', '{}')),
    );
    expect(created.map((answer) => answer.status)).toEqual(Array(20).fill(201));
    const ids = await Promise.all(created.map(async (answer) => ((await answer.json()) as { id: string }).id));
    server.signal('SIGKILL');
    await server.exit;

    // NORMAL leaves the last commits to the OS: a killed process loses none of them (a power cut may).
    const again = await start(process.execPath, [MAIN, 'serve', '--port', '0', '--db', db, '--synchronous', 'NORMAL']);
    for (const id of ids) expect((await signedFetch(again.endpoint, again.key, 'GET', `/rooms/${id}?api-version=2025-03-13`)).status).toBe(200);
    again.signal('SIGTERM');
    expect(await again.exit).toBe(0);
  });

  it('refuses a bad access key, port or durability with a message and a non-zero exit', async () => {
    for (const [args, said] of [
      [['--access-key', 'not base64!'], /access key/],
      [['--access-key', 'c2hvcnQ='], /access key/],
      [['--port', '70000'], /port/],
      [['--synchronous', 'OFF'], /'OFF' is invalid\. Allowed choices are FULL, NORMAL/],
      [
        ['--synchronous', 'NORMAL', '--postgres', 'postgres://127.0.0.1/none'],
        /'--synchronous <level>' cannot be used with option '--postgres <url>'/,
      ],
    ] as const) {
      const { USHER_PG_URL: _postgres, ...env } = process.env;
      const child = spawn(process.execPath, [MAIN, 'serve', '--db', join(directory.path, 'bad.db'), ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).not.toBe(0);
      expect(output).toMatch(said);
    }
  });

  it('usher keys list|rotate: the signing keys in the store, oldest first, the newest signing', () => {
    const db = join(directory.path, 'keys.db');
    const { USHER_PG_URL: _postgres, ...env } = process.env;
    const usher = (...args: string[]) => execFileSync(process.execPath, [MAIN, ...args, '--db', db], { env, encoding: 'utf8' });
    expect(usher('keys', 'list')).toMatch(/^no signing keys in .*keys\.db yet/);
    const first = /added signing key (\S+)/.exec(usher('keys', 'rotate'))?.[1];
    const second = /added signing key (\S+)/.exec(usher('keys', 'rotate'))?.[1];
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const lines = usher('keys', 'list').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${first}  created \\S+  verifies$`));
    expect(lines[1]).toMatch(new RegExp(`^${second}  created \\S+  signs$`));
  });

  it('npm start builds and serves, as the README says', async () => {
    const server = await start('npm', ['start', '--', '--port', '0', '--db', join(directory.path, 'npm-start.db')]);
    expect((await fetch(new URL('/healthz', server.endpoint))).status).toBe(200);
    server.signal('SIGTERM');
    await server.exit;
  });
});
