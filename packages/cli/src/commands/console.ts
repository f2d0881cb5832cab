import { existsSync } from 'node:fs';
import { startConsole } from '@usher/console';
import { systemClock } from '@usher/core/runtime';
import { type Command, Option } from 'commander';
import { port } from '../arguments.js';
import { closeOnSignals } from '../shutdown.js';
import { describeStore, openStore, type StoreChoice, withStoreOptions } from '../stores.js';

type ConsoleFlags = StoreChoice & { readonly port: number; readonly host: string; readonly token?: string; readonly tenant: string };

/** `usher console`: the read-only web console over a store, until SIGINT or SIGTERM. */
export function addConsoleCommand(program: Command): void {
  withStoreOptions(
    program
      .command('console')
      .description('Serve a read-only web console: rooms, live calls, each room’s audit timeline and its state at any instant, log verification'),
  )
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').default(8081).argParser(port))
    .addOption(new Option('--host <host>', 'interface to listen on; on one that is not loopback a login token is required').default('127.0.0.1'))
    .addOption(
      new Option('--token <token>', 'the login token (default: a random one, printed, when --host is not loopback)').env('USHER_CONSOLE_TOKEN'),
    )
    .addOption(new Option('--tenant <tenant>', 'the tenant shown first').default('default'))
    .action(async (options: ConsoleFlags) => {
      // Mistakes in what was asked for, said alone (the whole command list after them would bury them).
      const refusal =
        options.postgres === undefined && !existsSync(options.db)
          ? `There is no database at ${options.db}: give --db the file \`usher serve\` writes, or --postgres.`
          : options.token !== undefined && options.token.length < 16
            ? 'A console token is at least 16 characters.'
            : null;
      if (refusal !== null) {
        console.error(refusal);
        process.exitCode = 2;
        return;
      }
      const store = await openStore(options);
      let running: Awaited<ReturnType<typeof startConsole>>;
      try {
        running = await startConsole({
          store,
          clock: systemClock,
          host: options.host,
          port: options.port,
          token: options.token,
          defaultTenant: options.tenant,
        });
      } catch (error) {
        await store.close();
        throw error;
      }
      closeOnSignals(() => running.close().then(() => store.close()));
      console.log(`usher console on ${describeStore(options)}, read-only`);
      if (running.access.kind === 'token') console.log('open it with its login token (anyone holding this address can read every room):');
      console.log(`console: ${running.url}`);
    });
}
