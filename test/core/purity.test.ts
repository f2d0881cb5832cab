import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(import.meta.dirname, '..', '..', 'packages', 'core', 'src');
/** The one place that may read the clock and draw random ids; the core proper gets them through ports. */
const RUNTIME = join(CORE, 'runtime');

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return path === RUNTIME ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const FORBIDDEN: [string, RegExp][] = [
  ['reads the clock', /\bDate\.now\(|new Date\(\s*\)|performance\.now\(/],
  ['draws randomness', /Math\.random|randomUUID|randomBytes|randomInt|from 'ulid'/],
  ['touches disk, network or processes', /from 'node:(fs|net|http|https|dgram|child_process|worker_threads)|process\.env|\bfetch\(/],
  ['imports a store or adapter', /from '@usher\/(store|http|cli)/],
];

describe('the core is pure', () => {
  const files = sources(CORE);
  it('has sources to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  it.each(FORBIDDEN)('no module outside runtime/ %s', (_, pattern) => {
    const offenders = files.filter((file) => pattern.test(readFileSync(file, 'utf8'))).map((file) => relative(CORE, file));
    expect(offenders).toEqual([]);
  });
  it('the index does not re-export the runtime', () => {
    expect(readFileSync(join(CORE, 'index.ts'), 'utf8')).not.toMatch(/runtime/);
  });
});
