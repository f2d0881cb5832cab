import type { Command } from 'commander';
import { type JsonFlag, perSecond, report } from '../report.js';
import { type StoreChoice, withStore, withStoreOptions } from '../stores.js';

/** `usher rebuild`: every projection dropped and replayed from the log. */
export function addRebuildCommand(program: Command): void {
  withStoreOptions(program.command('rebuild').description('Rebuild every projection from the log'))
    .option('--json', 'machine-readable output')
    .action(async (options: StoreChoice & JsonFlag) =>
      withStore(options, (store) =>
        report({
          label: 'rebuild',
          json: options.json,
          run: (bar) => store.rebuildProjections((step) => bar.update(step.processed, step.total)),
          failure: (error) => ({ message: error.message }),
          summary: ({ events, rooms }, seconds) => ({ events, rooms, seconds, eventsPerSecond: perSecond(events, seconds) }),
          text: (summary) => `${summary.events} events replayed into ${summary.rooms} rooms (${summary.eventsPerSecond} events/s)`,
        }),
      ),
    );
}
