import fc from 'fast-check';

/** Runs per property: 500 by default (what CI runs), `USHER_FC_RUNS` to change it locally. */
export function numRuns(defaultRuns = 500): number {
  const fromEnv = Number(process.env.USHER_FC_RUNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}

/**
 * Every property is seeded: `USHER_FC_SEED` replays a failure, otherwise a fresh seed is drawn.
 * fast-check prints the seed and the shrunk counterexample path when a property fails.
 */
export function fcParameters<T>(runs: number): fc.Parameters<T> {
  const fromEnv = Number(process.env.USHER_FC_SEED);
  const seed = Number.isInteger(fromEnv) && process.env.USHER_FC_SEED !== undefined ? fromEnv : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  return { seed, numRuns: runs, endOnFailure: false };
}

export async function assertProperty<Ts>(property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>, runs = numRuns()): Promise<void> {
  const parameters = fcParameters<Ts>(runs);
  try {
    await fc.assert(property, parameters);
  } catch (error) {
    // fast-check's message carries the seed too; this line makes it greppable in CI logs.
    console.error(`fast-check failed with seed ${parameters.seed} (rerun with USHER_FC_SEED=${parameters.seed})`);
    throw error;
  }
}
