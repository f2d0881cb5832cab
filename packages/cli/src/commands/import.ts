import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { type EventStore, importEvents, verifyExport } from '@usher/core';
import type { Command } from 'commander';
import { fail, type JsonFlag, report } from '../report.js';
import { describeStore, type StoreChoice, withStore, withStoreOptions } from '../stores.js';

function lines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
}

/**
 * The export to read twice (verified whole, then imported): a file as it is; standard input (`-`) copied
 * to a temporary file first, streaming, so that any size fits.
 */
async function readable(file: string): Promise<{ path: string; dispose(): void }> {
  if (file !== '-') return { path: file, dispose: () => {} };
  const directory = mkdtempSync(join(tmpdir(), 'usher-import-'));
  const path = join(directory, 'stdin.ndjson');
  await pipeline(process.stdin, createWriteStream(path));
  return { path, dispose: () => rmSync(directory, { recursive: true, force: true }) };
}

/** `usher import`: an export appended to a store, once the whole file verifies; re-running resumes. */
export function addImportCommand(program: Command): void {
  withStoreOptions(
    program
      .command('import')
      .description('Append an export to a store; refuses a log whose chains do not verify; re-run to resume')
      .argument('<file>', 'an NDJSON export, or - for standard input'),
  )
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: StoreChoice & JsonFlag) =>
      withStore(options, async (store) => {
        const source = await readable(file);
        try {
          return await importFrom(store, source.path, options);
        } finally {
          source.dispose();
        }
      }),
    );
}

async function importFrom(store: EventStore, file: string, options: StoreChoice & JsonFlag): Promise<number> {
  const checked = await verifyExport(lines(file));
  if (checked.isErr()) return fail(options.json, `refused: ${checked.error.message}`, { failure: checked.error });
  const total = checked.value.events;
  return report({
    label: 'import',
    json: options.json,
    run: (bar) => importEvents(store, lines(file), { onProgress: (done) => bar.update(done, total) }),
    failure: (failure) => ({ message: `import stopped: ${failure.message}`, detail: { failure } }),
    summary: ({ events, skipped }, seconds) => ({ imported: events, alreadyPresent: skipped, seconds }),
    text: (summary) => `${summary.imported} events imported, ${summary.alreadyPresent} already present, into ${describeStore(options)}`,
  });
}
