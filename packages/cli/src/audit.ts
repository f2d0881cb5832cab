import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type EventStore,
  exportLog,
  history,
  importEvents,
  parseRoomId,
  parseTenantId,
  type RoomState,
  roomAt,
  type StreamKey,
  verify,
  verifyExport,
} from '@usher/core';
import type { Command } from 'commander';
import { progress } from './progress.js';
import { describeStore, openStore, type StoreChoice, withStoreOptions } from './stores.js';

type Json = { readonly json?: boolean };

/** Runs `work` on the chosen store, closes it, and exits with what `work` answers (0 ok, 1 failed). */
async function withStore(choice: StoreChoice, work: (store: EventStore) => Promise<number>): Promise<void> {
  const store = await openStore(choice);
  let code = 1;
  try {
    code = await work(store);
  } finally {
    await store.close();
  }
  process.exitCode = code;
}

function fail(json: boolean | undefined, message: string, detail: object = {}): number {
  if (json === true) console.log(JSON.stringify({ ok: false, message, ...detail }));
  else console.error(message);
  return 1;
}

function streamOf(roomId: string, tenant: string): StreamKey {
  const room = parseRoomId(roomId);
  const tenantId = parseTenantId(tenant);
  if (room.isErr()) throw new Error(room.error.message);
  if (tenantId.isErr()) throw new Error(tenantId.error.message);
  return { tenantId: tenantId.value, roomId: room.value };
}

function lines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
}

function describeState(state: RoomState, version: number): string {
  if (state.status === 'absent') return 'the room did not exist yet';
  const { room } = state;
  const roster = Object.entries(room.roster).map(([id, role]) => `  ${id}: ${role}`);
  const call =
    room.call === null
      ? ['call: none']
      : [
          'call:',
          ...Object.entries(room.call.participants).map(
            ([id, p]) => `  ${id}: ${p.role}${p.muted ? ', muted' : ''}${room.call?.screenSharer === id ? ', sharing a screen' : ''}`,
          ),
        ];
  return [
    `room ${room.roomId} (${state.status}) as of version ${version}`,
    `window: ${room.validFrom} – ${room.validUntil}; PSTN dial-out ${room.pstnDialOutEnabled ? 'on' : 'off'}; expiry ${room.expiryPolicy}`,
    `roster (${roster.length}):`,
    ...roster,
    ...call,
  ].join('\n');
}

export function addAuditCommands(program: Command): void {
  const audit = program.command('audit').description('Verify a log, and read it back as history or as the state at an instant');

  withStoreOptions(
    audit.command('verify').description('Check every hash chain, the log positions and the projections; exit 1 naming the first broken event'),
  )
    .option('--json', 'machine-readable output')
    .action(async (options: StoreChoice & Json) =>
      withStore(options, async (store) => {
        const bar = progress('verify', { quiet: options.json === true });
        const started = performance.now();
        const result = await verify(store, { onProgress: (step) => step.phase === 'chain' && bar.update(step.processed) });
        bar.stop();
        const seconds = (performance.now() - started) / 1000;
        if (result.isErr()) {
          const failure = result.error;
          return fail(options.json, `verification failed: ${failure.message}`, { failure });
        }
        const summary = {
          ok: true,
          events: result.value.events,
          streams: result.value.streams,
          seconds,
          eventsPerSecond: Math.round(result.value.events / seconds),
        };
        console.log(
          options.json === true
            ? JSON.stringify(summary)
            : `${describeStore(options)}: ${summary.events} events in ${summary.streams} rooms verified (${summary.eventsPerSecond} events/s)`,
        );
        return 0;
      }),
    );

  withStoreOptions(
    audit.command('history').description("A room's events as a timeline: who did what, when, with which request id").argument('<roomId>'),
  )
    .option('--tenant <tenant>', 'the tenant owning the room', 'default')
    .option('--json', 'one JSON object per event')
    .action(async (roomId: string, options: StoreChoice & Json & { tenant: string }) =>
      withStore(options, async (store) => {
        const stream = streamOf(roomId, options.tenant);
        let shown = 0;
        for (let from = 1; ; from += 1000) {
          const page = await history(store, stream, { fromVersion: from, limit: 1000 });
          if (page.isErr()) return fail(options.json, page.error.message);
          for (const entry of page.value) {
            console.log(
              options.json === true
                ? JSON.stringify(entry)
                : `v${entry.version}  ${entry.at}  ${entry.actor}${entry.requestId === null ? '' : ` [${entry.requestId}]`}  ${entry.description}`,
            );
          }
          shown += page.value.length;
          if (page.value.length < 1000) break;
        }
        if (shown === 0) return fail(options.json, `room ${roomId} of tenant ${options.tenant} has no events`);
        return 0;
      }),
    );

  withStoreOptions(
    audit
      .command('at')
      .description('The room as it was at an instant: roster, roles, window, flags and call, by replay')
      .argument('<roomId>')
      .argument('<instant>', 'ISO-8601, e.g. 2026-11-25T14:03:00Z'),
  )
    .option('--tenant <tenant>', 'the tenant owning the room', 'default')
    .option('--json', 'the state as JSON')
    .action(async (roomId: string, instant: string, options: StoreChoice & Json & { tenant: string }) =>
      withStore(options, async (store) => {
        const at = new Date(instant);
        if (Number.isNaN(at.getTime())) return fail(options.json, `not an instant: ${instant}`);
        const result = await roomAt(store, streamOf(roomId, options.tenant), at);
        if (result.isErr()) return fail(options.json, result.error.message);
        console.log(
          options.json === true ? JSON.stringify({ at: at.toISOString(), ...result.value }) : describeState(result.value.state, result.value.version),
        );
        return 0;
      }),
    );

  withStoreOptions(program.command('export').description('Write the whole log as NDJSON, one event per line in log order'))
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (options: StoreChoice & { out?: string }) =>
      withStore(options, async (store) => {
        const output = options.out === undefined ? process.stdout : createWriteStream(options.out);
        const bar = progress('export', { quiet: options.out === undefined });
        const result = await exportLog(store, async (line) => {
          if (!output.write(`${line}\n`)) await once(output, 'drain');
        });
        if (options.out !== undefined) await new Promise<void>((resolve) => output.end(() => resolve()));
        bar.stop();
        if (result.isErr()) return fail(false, result.error.message);
        if (options.out !== undefined) console.error(`${result.value} events written to ${options.out}`);
        return 0;
      }),
    );

  withStoreOptions(
    program
      .command('import')
      .description('Append an export to a store; refuses a log whose chains do not verify; re-run to resume')
      .argument('<file>'),
  )
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: StoreChoice & Json) =>
      withStore(options, async (store) => {
        const checked = await verifyExport(lines(file));
        if (checked.isErr()) return fail(options.json, `refused: ${checked.error.message}`, { failure: checked.error });
        const bar = progress('import', { quiet: options.json === true });
        const started = performance.now();
        const result = await importEvents(store, lines(file), { onProgress: (done) => bar.update(done, checked.value.events) });
        bar.stop();
        if (result.isErr()) return fail(options.json, `import stopped: ${result.error.message}`, { failure: result.error });
        const seconds = (performance.now() - started) / 1000;
        const summary = { ok: true, imported: result.value.events, alreadyPresent: result.value.skipped, seconds };
        console.log(
          options.json === true
            ? JSON.stringify(summary)
            : `${summary.imported} events imported, ${summary.alreadyPresent} already present, into ${describeStore(options)}`,
        );
        return 0;
      }),
    );

  withStoreOptions(program.command('rebuild').description('Rebuild every projection from the log'))
    .option('--json', 'machine-readable output')
    .action(async (options: StoreChoice & Json) =>
      withStore(options, async (store) => {
        const bar = progress('rebuild', { quiet: options.json === true });
        const started = performance.now();
        const result = await store.rebuildProjections((step) => bar.update(step.processed, step.total));
        bar.stop();
        if (result.isErr()) return fail(options.json, result.error.message);
        const seconds = (performance.now() - started) / 1000;
        const summary = { ok: true, ...result.value, seconds, eventsPerSecond: Math.round(result.value.events / seconds) };
        console.log(
          options.json === true
            ? JSON.stringify(summary)
            : `${summary.events} events replayed into ${summary.rooms} rooms (${summary.eventsPerSecond} events/s)`,
        );
        return 0;
      }),
    );
}
