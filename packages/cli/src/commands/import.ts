import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { importEvents, verifyExport } from '@usher/core';
import type { Command } from 'commander';
import { fail, type JsonFlag, report } from '../report.js';
import { describeStore, type StoreChoice, withStore, withStoreOptions } from '../stores.js';

function lines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
}

/** `usher import`: an export appended to a store, once the whole file verifies; re-running resumes. */
export function addImportCommand(program: Command): void {
  withStoreOptions(
    program
      .command('import')
      .description('Append an export to a store; refuses a log whose chains do not verify; re-run to resume')
      .argument('<file>'),
  )
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: StoreChoice & JsonFlag) =>
      withStore(options, async (store) => {
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
      }),
    );
}
