import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { temporaryDirectory } from './support/stores.js';
import { startUsher } from './support/usher-process.js';

const ROOT = join(import.meta.dirname, '..');
const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

describe('the README examples run as written', () => {
  const data = temporaryDirectory('readme');
  // Inside the repository, so that the example resolves @usher/* the way a user's project does.
  const scratch = join(ROOT, 'test', '.tmp');
  mkdirSync(scratch, { recursive: true });
  afterAll(() => {
    data.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function run(index: number, adapt: (source: string) => string = (source) => source): Promise<unknown[][]> {
    const source = adapt(blocks[index] ?? '').replaceAll(/'(\.\/)?(rooms|usher)\.db'/g, (_, __, name: string) =>
      JSON.stringify(join(data.path, `${name}.db`)),
    );
    const file = join(scratch, `readme-${index}.ts`);
    writeFileSync(file, source);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const module = (await import(file)) as { close?: () => Promise<void> };
      await module.close?.();
      return log.mock.calls;
    } finally {
      log.mockRestore();
    }
  }

  it('joining a call: the server-side script and the curl lines work against usher serve, as written', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Joining a call'), readme.indexOf('## The REST API'));
    const script = /```js\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const curls = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(script).toContain('createUserAndToken');
    expect(curls).toContain('USHER=http://127.0.0.1:8080 ');
    const server = await startUsher(['--db', join(data.path, 'join.db')]);
    try {
      const file = join(scratch, 'join.mjs');
      writeFileSync(file, script);
      const connectionString = `endpoint=${server.endpoint};accesskey=${server.key}`;
      const printed = execFileSync(process.execPath, [file], {
        env: { ...process.env, USHER_CONNECTION_STRING: connectionString },
        encoding: 'utf8',
      });
      expect(printed).toMatch(/^export ROOM=[0-9]+ ALICE='8:acs:[^']+' TOKEN=[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const endpoint = server.endpoint.replace(/\/$/, '');
      const lines = execFileSync('bash', ['-c', `${printed}\n${curls.replace('USHER=http://127.0.0.1:8080 ', `USHER=${endpoint} `)}`], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n');
      expect(lines).toHaveLength(4);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ role: 'Presenter', capabilities: expect.arrayContaining(['shareScreen']) });
      expect(JSON.parse(lines[1] ?? '')).toMatchObject({ active: true, participants: [{ role: 'Presenter', screenSharing: false }] });
      expect(JSON.parse(lines[2] ?? '')).toMatchObject({ screenSharing: true });
      expect(lines[3]).toBe('204');
    } finally {
      server.signal('SIGTERM');
      await server.exit;
    }
  });

  it('has the examples this test expects', () => {
    expect(blocks).toHaveLength(4);
  });

  it('embedding: Alice joins, Bob is refused as not invited, a repeated create answers the first room', async () => {
    expect(await run(0)).toEqual([[true], ['NotInvited'], ['created'], ['replayed']]);
  });

  it('swapping stores: both stores open', async () => {
    await expect(run(1)).resolves.toEqual([]);
  });

  it('mounting: the handler serves signed requests (on a free port instead of 8080)', async () => {
    const { KEY_A } = await import('./http/server.js');
    process.env.ROOMS_KEY = KEY_A;
    const adapted = (source: string) =>
      `${source.replace('createServer(api.listener).listen(Number(process.env.PORT ?? 8080));', 'const server = createServer(api.listener).listen(0);')}
export async function close() {
  const { signRequest } = await import('@usher/http-adapter');
  const address = server.address();
  const url = new URL(\`http://127.0.0.1:\${typeof address === 'object' && address !== null ? address.port : 0}/rooms?api-version=2025-03-13\`);
  const response = await fetch(url, { headers: signRequest({ method: 'GET', url, body: '', date: new Date() }, process.env.ROOMS_KEY ?? '') });
  console.log(response.status);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
}
`;
    expect(await run(2, adapted)).toEqual([[200]]);
  });
  it('server events: the log consumer example prints what the log holds', async () => {
    const fresh = JSON.stringify(join(data.path, 'consumer.db'));
    expect(await run(3, (source) => source.replace("'rooms.db'", fresh))).toEqual([['Usher.Rooms.RoomCreated']]);
  });

  it('server events: the receiver and the CLI lines work against usher serve, as written (on a free port instead of 9000)', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Server events (webhooks)'), readme.indexOf('## Security'));
    const receiverScript = /```js\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const lines = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(receiverScript).toContain('.listen(9000)');
    expect(lines).toContain('http://127.0.0.1:9000/hooks');
    const db = join(data.path, 'webhooks.db');
    const server = await startUsher(['--db', db]);
    const file = join(scratch, 'receiver.mjs');
    writeFileSync(
      file,
      receiverScript
        .replace('.listen(9000)', ".listen(0, () => console.log('port', server.address().port))")
        .replace('createServer(', 'const server = createServer('),
    );
    const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const receiver = spawn(process.execPath, [file], { env: { ...process.env, WEBHOOK_SECRET: secret }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let printed = '';
      receiver.stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
      });
      await vi.waitFor(() => expect(printed).toMatch(/port \d+/), { timeout: 5_000 });
      const port = /port (\d+)/.exec(printed)?.[1] ?? '';
      const cli = execFileSync(
        'bash',
        [
          '-c',
          lines
            .replace('export WEBHOOK_SECRET=whsec_$(openssl rand -base64 32)', `export WEBHOOK_SECRET='${secret}'`)
            .replaceAll(':9000/', `:${port}/`),
        ],
        {
          cwd: ROOT,
          // As a user's shell would be: USHER_PG_URL (set by CI for the PostgreSQL suites) would send the CLI to PostgreSQL.
          env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'USHER_PG_URL')), USHER_DB: db },
          encoding: 'utf8',
        },
      );
      expect(cli).toContain('created subscription my-app');
      expect(cli).toMatch(/my-app {2}http:\/\/127\.0\.0\.1:\d+\/hooks {2}EventGridSchema {2}all types {2}signed/);
      const { signedFetch } = await import('./support/usher-process.js');
      const created = await signedFetch(server.endpoint, server.key, 'POST', '/rooms?api-version=2025-03-13', '{}');
      const { id } = (await created.json()) as { id: string };
      await vi.waitFor(() => expect(printed).toContain(`Usher.Rooms.RoomCreated rooms/${id}`), { timeout: 10_000 });
    } finally {
      receiver.kill();
      server.signal('SIGTERM');
      await server.exit;
    }
  });
});
