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

  async function run(index: number): Promise<unknown[][]> {
    const source = (blocks[index] ?? '').replaceAll(/'(\.\/)?(rooms|usher)\.db'/g, (_, __, name: string) =>
      JSON.stringify(join(data.path, `${name}.db`)),
    );
    const file = join(scratch, `readme-${index}.ts`);
    writeFileSync(file, source);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(file);
      return log.mock.calls;
    } finally {
      log.mockRestore();
    }
  }

  it('has the examples this test expects', () => {
    expect(blocks).toHaveLength(2);
  });

  it('embedding: Alice joins, Bob is refused as not invited', async () => {
    expect(await run(0)).toEqual([[true], ['NotInvited']]);
  });

  it('swapping stores: both stores open', async () => {
    await expect(run(1)).resolves.toEqual([]);
  });
});
