import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signRequest } from '@usher/http-adapter';

export const ROOT = join(import.meta.dirname, '..', '..');
/** The built CLI, as `npx usher` runs it. */
export const MAIN = join(ROOT, 'packages', 'cli', 'dist', 'main.js');

export interface StartedProcess {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly key: string;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
  /** Signals the whole process group (npm start runs usher under a shell). */
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts a command in its own process group and waits for the line `ready` matches (by default the
 * connection-string line of `usher serve`: its groups are the endpoint and the key). USHER_PG_URL
 * (set by .ci/run for the PostgreSQL suites) is not passed on: it would switch `usher serve` to
 * PostgreSQL; a test that wants PostgreSQL says `--postgres`.
 */
export function startProcess(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  ready: RegExp = /connection string: endpoint=(\S+);accesskey=(\S+)/,
): Promise<StartedProcess> {
  const { USHER_PG_URL: _postgres, ...inherited } = process.env;
  const child = spawn(command, args, { cwd: ROOT, env: { ...inherited, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match !== null) {
        resolve({
          child,
          endpoint: match[1] ?? '',
          key: match[2] ?? '',
          output: () => output,
          exit,
          signal: (signal) => process.kill(-(child.pid as number), signal),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exit.then((code) => reject(new Error(`exited with ${code} before serving:\n${output}`)));
  });
}

/** `usher serve` with the given flags, from the built CLI. */
export const startUsher = (args: string[], env: Record<string, string> = {}) =>
  startProcess(process.execPath, [MAIN, 'serve', '--port', '0', ...args], env);

/** A request signed with the access key, as the ACS SDKs sign it. */
export function signedFetch(endpoint: string, key: string, method: string, path: string, body = '') {
  const target = new URL(path, endpoint);
  const headers = signRequest({ method, url: target, body, date: new Date() }, key);
  const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  return fetch(target, { method, body: body === '' ? undefined : body, headers: { ...headers, 'content-type': contentType } });
}

const run = promisify(execFile);

/** Runs the built CLI to its end (without USHER_PG_URL, as startProcess); answers its exit code and output. */
export async function usher(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { USHER_PG_URL: _postgres, ...env } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
