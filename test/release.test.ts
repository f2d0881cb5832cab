import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

interface Summary {
  readonly ok: boolean;
  readonly message?: string;
  readonly version: string;
  readonly tarballs: readonly { name: string; size: number; files: readonly string[] }[];
}

/**
 * What an embedder gets: `npm run release:check` packs every package, installs the tarballs (not the
 * workspace links) into a new project, typechecks the README examples strictly (skipLibCheck: false)
 * under NodeNext and Bundler resolution, runs them, and runs `npx usher`.
 */
describe('the packages as published', () => {
  it('install, typecheck and run outside the workspace', { timeout: 20 * 60_000 }, async () => {
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)('npm', ['run', '--silent', 'release:check', '--', '--json'], {
        cwd: ROOT,
        maxBuffer: 64 * 1024 * 1024,
      }));
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      throw new Error(`release:check failed:\n${failed.stderr ?? ''}${failed.stdout ?? ''}`);
    }
    const summary = JSON.parse(stdout) as Summary;
    expect(summary.ok).toBe(true);
    expect(summary.tarballs.map((tarball) => tarball.name).sort()).toEqual([
      '@usher/cli',
      '@usher/console',
      '@usher/core',
      '@usher/http-adapter',
      '@usher/store-memory',
      '@usher/store-postgres',
      '@usher/store-sqlite',
    ]);
    for (const tarball of summary.tarballs) {
      expect(tarball.files, tarball.name).toEqual(
        expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']),
      );
    }
  });
});
