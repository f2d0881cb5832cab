// The processes the HTTP benchmarks measure: each in its own process, as the load tool is in another.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/**
 * A Node process that prints a line matching `ready`; answers the child and the match. Its output is
 * read and dropped after that line, as a log shipper would take it (without USHER_PG_URL, which would
 * send usher serve to PostgreSQL).
 */
export function startNode(args, ready) {
  const { USHER_PG_URL: _postgres, ...env } = process.env;
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      const match = ready.exec(out);
      if (match === null) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({ child, match });
    };
    child.stdout.on('data', onData);
  });
}

/**
 * `usher serve` on a SQLite file with `args`, with a CPU profile in USHER_BENCH_PROFILE when set and the
 * flags of USHER_BENCH_SERVE_ARGS; answers the child, its endpoint and its access key.
 */
export async function startUsher(db, args = []) {
  const { child, match } = await startNode(
    [
      ...(process.env.USHER_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.USHER_BENCH_PROFILE] : []),
      join(ROOT, 'packages/cli/dist/main.js'),
      'serve',
      '--port',
      '0',
      '--db',
      db,
      ...args,
      ...(process.env.USHER_BENCH_SERVE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
    ],
    /endpoint=(\S+);accesskey=(\S+)/,
  );
  return { child, endpoint: match[1], key: match[2] };
}

/**
 * The CPU time a process has used so far, in µs (user and system, from /proc; USER_HZ is 100 on Linux),
 * or null where there is no /proc. Taken around a round, it gives a server's CPU per request: a figure
 * that holds on a busy machine, where requests per second move with whatever else runs.
 */
export function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}
