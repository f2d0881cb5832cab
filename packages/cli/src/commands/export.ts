import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { exportLog } from '@usher/core';
import type { Command } from 'commander';
import { fail } from '../report.js';
import { type StoreChoice, withStore, withStoreOptions } from '../stores.js';

/**
 * `usher export`: the log as NDJSON, on standard output or into a file. Not a `report` job: the
 * events are the output, and the one note (with --out) goes to standard error.
 */
export function addExportCommand(program: Command): void {
  withStoreOptions(program.command('export').description('Write the whole log as NDJSON, one event per line in log order'))
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (options: StoreChoice & { out?: string }) =>
      withStore(options, async (store) => {
        const output = options.out === undefined ? process.stdout : createWriteStream(options.out);
        const result = await exportLog(store, async (line) => {
          if (!output.write(`${line}\n`)) await once(output, 'drain');
        });
        if (options.out !== undefined) await new Promise<void>((resolve) => output.end(() => resolve()));
        if (result.isErr()) return fail(false, result.error.message);
        if (options.out !== undefined) console.error(`${result.value} events written to ${options.out}`);
        return 0;
      }),
    );
}
