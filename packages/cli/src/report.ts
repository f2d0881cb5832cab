import type { Result } from 'neverthrow';
import { type Progress, progress } from './progress.js';

/** The `--json` flag of the commands that have one. */
export interface JsonFlag {
  readonly json?: boolean | undefined;
}

/** Why a job failed: the line to show, and what `--json` adds to `{ ok: false, message }`. */
export interface Failure {
  readonly message: string;
  readonly detail?: object;
}

export interface Job<T, E, S extends object> {
  /** The progress bar's label. */
  readonly label: string;
  readonly json: boolean | undefined;
  /** The work itself, moving the bar as it goes: a `ResultAsync` or a promise of a `Result`. */
  readonly run: (bar: Progress) => PromiseLike<Result<T, E>>;
  readonly failure: (error: E) => Failure;
  /** The JSON summary (without `ok`), from the outcome and the seconds the work took. */
  readonly summary: (value: T, seconds: number) => S;
  /** The summary as the one line printed without `--json`. */
  readonly text: (summary: S) => string;
}

/** Exit code 1 after a failure: `{ ok: false, message, ...detail }` on standard output with `--json`, else the message on standard error. */
export function fail(json: boolean | undefined, message: string, detail: object = {}): number {
  if (json === true) console.log(JSON.stringify({ ok: false, message, ...detail }));
  else console.error(message);
  return 1;
}

/** Events per second over `seconds`, rounded. */
export function perSecond(events: number, seconds: number): number {
  return Math.round(events / seconds);
}

/**
 * Runs a long job under a progress bar (none with --json or off a terminal), times it, and prints
 * `{ ok: true, ...summary }` with --json or the text line otherwise; answers the exit code.
 */
export async function report<T, E, S extends object>(job: Job<T, E, S>): Promise<number> {
  const bar = progress(job.label, { quiet: job.json === true });
  const started = performance.now();
  const outcome = await job.run(bar);
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  return outcome.match(
    (value) => {
      const summary = job.summary(value, seconds);
      console.log(job.json === true ? JSON.stringify({ ok: true, ...summary }) : job.text(summary));
      return 0;
    },
    (error) => {
      const { message, detail } = job.failure(error);
      return fail(job.json, message, detail);
    },
  );
}
