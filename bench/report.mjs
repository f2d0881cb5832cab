// What every benchmark scenario shares: its rounds, its summaries, and the one line through which it
// hands its result to the runner (bench/run.mjs), which writes bench/results/latest.json and BENCHMARKS.md.

/** `npm run bench -- --quick`: short rounds and small sizes, a smoke run rather than a measurement. */
export const QUICK = process.env.USHER_BENCH_QUICK === '1';

/** The prefix of the line that carries a scenario's result to the runner. */
export const RESULT_PREFIX = 'USHER_BENCH_RESULT ';

/** Rounds and their length: USHER_BENCH_ROUNDS and USHER_BENCH_SECONDS win, then quick mode, then the scenario's own. */
export function roundsOf({ rounds, seconds }) {
  return {
    rounds: Number(process.env.USHER_BENCH_ROUNDS ?? (QUICK ? Math.min(2, rounds) : rounds)),
    seconds: Number(process.env.USHER_BENCH_SECONDS ?? (QUICK ? Math.min(1, seconds) : seconds)),
  };
}

/** Min, median and max of repeated measurements. */
export function summary(values) {
  if (values.length === 0) throw new Error('A summary needs at least one value.');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/**
 * Hands a scenario's result to the runner (and shows it to a person running the script alone):
 * - `row`: the row of the benchmark table; `scenario` and `comparedWith`: what ran, against what;
 * - `figures`: `{ label, unit, min, median, max }` each, over the rounds;
 * - `ratio`: `{ label, min, median, max }` over the rounds (each round's ratio), or null;
 * - `target`: `{ text, met }` (met judged on the median), or null when the row only reports;
 * - `note`: what a reader needs to read the figures right (optional).
 */
export function report(result) {
  const line = JSON.stringify(result);
  console.log(`${RESULT_PREFIX}${line}`);
}

/** Judges a median against a floor (`at least`) or a ceiling (`at most`). */
export function target(text, median, { atLeast, atMost }) {
  const met = atLeast !== undefined ? median >= atLeast : median <= atMost;
  return { text, met };
}
