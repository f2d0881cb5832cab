#!/usr/bin/env node
import { Command } from 'commander';
import { addAuditCommands } from './commands/audit.js';
import { addConsoleCommand } from './commands/console.js';
import { addExportCommand } from './commands/export.js';
import { addImportCommand } from './commands/import.js';
import { addKeysCommands } from './commands/keys.js';
import { addMigrateCommand } from './commands/migrate.js';
import { addRebuildCommand } from './commands/rebuild.js';
import { addServeCommand } from './commands/serve.js';
import { addWebhooksCommands } from './commands/webhooks.js';
import { addExamples } from './examples.js';

const program = new Command('usher').description('Usher: an ACS Rooms-compatible rooms control plane').showHelpAfterError();

addServeCommand(program);
addMigrateCommand(program);
addAuditCommands(program);
addConsoleCommand(program);
addExportCommand(program);
addImportCommand(program);
addRebuildCommand(program);
addKeysCommands(program);
addWebhooksCommands(program);
addExamples(program);

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
