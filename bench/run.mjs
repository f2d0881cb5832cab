// `npm run bench`: runs every scenario, each in a process of its own, one after another (two would share
// the cores and measure each other), then writes bench/results/latest.json and BENCHMARKS.md.
// `npm run bench -- --quick`: short rounds and small sizes, a smoke run; written to bench/results/quick.json
// only, so that a smoke run never stands in for a measurement. `--only 4,5` runs some rows.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { RESULT_PREFIX } from './report.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { benchmarksMarkdown } from './tables.mjs';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const only = values.only === undefined ? null : new Set(values.only.split(',').map((row) => row.trim()));
const chosen = SCENARIOS.filter((scenario) => only === null || only.has(String(scenario.row)));
if (chosen.length === 0) throw new Error(`No scenario is row ${values.only}; rows: ${SCENARIOS.map((s) => s.row).join(', ')}.`);

/** Runs one scenario script, passing its output through; answers its result, or why there is none. */
function runScenario(scenario) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bench', scenario.file)], {
      cwd: ROOT,
      env: { ...process.env, USHER_BENCH_QUICK: values.quick ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(RESULT_PREFIX)) result = JSON.parse(line.slice(RESULT_PREFIX.length));
      else console.log(`  ${line}`);
    });
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0 && result !== null) resolve({ ...result, file: scenario.file, seconds });
      else
        resolve({
          row: scenario.row,
          file: scenario.file,
          seconds,
          failed: `exited with ${signal ?? `code ${code}`}${result === null ? ' before reporting' : ''}`,
        });
    });
  });
}

function commitOf() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} with uncommitted changes` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  freeMemoryGb: Math.round(freemem() / 2 ** 30),
  os: `${process.platform} ${release()}`,
  node: process.version,
};
const rows = [];
for (const scenario of chosen) {
  console.log(`row ${scenario.row}: ${scenario.file}`);
  const result = await runScenario(scenario);
  console.log(result.failed === undefined ? `  done in ${result.seconds.toFixed(0)} s` : `  FAILED: ${result.failed}`);
  rows.push(result);
}

const run = { date: new Date().toISOString(), commit: commitOf(), quick: values.quick, machine, rows };
const results = join(ROOT, 'bench', 'results');
mkdirSync(results, { recursive: true });
const markdown = benchmarksMarkdown(run);
if (values.quick) {
  writeFileSync(join(results, 'quick.json'), `${JSON.stringify(run, null, 2)}\n`);
  console.log(`\n${markdown}\nWritten: bench/results/quick.json (a smoke run: BENCHMARKS.md left as it was).`);
} else if (only !== null) {
  writeFileSync(join(results, 'partial.json'), `${JSON.stringify(run, null, 2)}\n`);
  console.log(`\n${markdown}\nWritten: bench/results/partial.json (some rows only: BENCHMARKS.md left as it was).`);
} else {
  writeFileSync(join(results, 'latest.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), markdown);
  console.log('\nWritten: bench/results/latest.json and BENCHMARKS.md.');
}
if (rows.some((row) => row.failed !== undefined)) process.exitCode = 1;
