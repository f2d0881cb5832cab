import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { temporaryDirectory } from './support/stores.js';

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

  it('has the examples this test expects', () => {
    expect(blocks).toHaveLength(3);
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
});
