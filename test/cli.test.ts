import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signRequest } from '@usher/http-adapter';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './support/stores.js';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'packages', 'cli', 'dist', 'main.js');

interface Started {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly key: string;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

/** Starts a command (in its own process group) and waits for its connection-string line. */
function start(command: string, args: string[], env: Record<string, string> = {}): Promise<Started> {
  // USHER_PG_URL (set by .ci/run for the PostgreSQL suites) would switch `usher serve` to PostgreSQL.
  const { USHER_PG_URL: _postgres, ...inherited } = process.env;
  const child = spawn(command, args, { cwd: ROOT, env: { ...inherited, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /connection string: endpoint=(\S+);accesskey=(\S+)/.exec(output);
      if (match !== null) resolve({ child, endpoint: match[1] ?? '', key: match[2] ?? '', output: () => output, exit });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exit.then((code) => reject(new Error(`exited with ${code} before serving:\n${output}`)));
  });
}

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
    expect(readFileSync(`${db}.access-key`, 'utf8').trim()).toBe(first.key);
    expect((await fetch(new URL('/healthz', first.endpoint))).status).toBe(200);
    const id = crypto.randomUUID();
    const sent = new Date();
    const created = await repeatableCreate(first.endpoint, first.key, id, sent);
    expect(created.status).toBe(201);
    const room = await created.json();
    process.kill(-(first.child.pid as number), 'SIGTERM');
    expect(await first.exit).toBe(0);

    const second = await start(process.execPath, [MAIN, 'serve', '--port', '0', '--db', db]);
    expect(second.key).toBe(first.key);
    const replay = await repeatableCreate(second.endpoint, second.key, id, sent);
    expect(replay.status).toBe(201);
    expect(await replay.json()).toEqual(room);
    process.kill(-(second.child.pid as number), 'SIGINT');
    expect(await second.exit).toBe(0);
  });

  it('takes its settings from PORT, USHER_DB and USHER_ACCESS_KEY', async () => {
    const key = Buffer.alloc(32, 5).toString('base64');
    const db = join(directory.path, 'env.db');
    const server = await start(process.execPath, [MAIN, 'serve'], { PORT: '0', USHER_DB: db, USHER_ACCESS_KEY: key });
    expect(server.key).toBe(key);
    expect(existsSync(db)).toBe(true);
    expect(existsSync(`${db}.access-key`)).toBe(false);
    process.kill(-(server.child.pid as number), 'SIGTERM');
    expect(await server.exit).toBe(0);
  });

  it('refuses a bad access key or port with a message and a non-zero exit', async () => {
    for (const args of [
      ['--access-key', 'not base64!'],
      ['--access-key', 'c2hvcnQ='],
      ['--port', '70000'],
    ]) {
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
      expect(output).toMatch(/access key|port/);
    }
  });

  it('npm start builds and serves, as the README says', async () => {
    const server = await start('npm', ['start', '--', '--port', '0', '--db', join(directory.path, 'npm-start.db')]);
    expect((await fetch(new URL('/healthz', server.endpoint))).status).toBe(200);
    process.kill(-(server.child.pid as number), 'SIGTERM');
    await server.exit;
  });
});
