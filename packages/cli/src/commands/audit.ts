import { MAX_PAGE_SIZE, parseRoomId, parseTenantId, parseTimestamp, type RoomState, type StreamKey, verify } from '@usher/core';
import type { Command } from 'commander';
import { describeState } from '../describe-state.js';
import { fail, type JsonFlag, perSecond, report } from '../report.js';
import { describeStore, type StoreChoice, withService, withStore, withStoreOptions } from '../stores.js';

type RoomFlags = StoreChoice & JsonFlag & { readonly tenant: string };

function streamOf(roomId: string, tenant: string): StreamKey {
  const room = parseRoomId(roomId);
  const tenantId = parseTenantId(tenant);
  if (room.isErr()) throw new Error(room.error.message);
  if (tenantId.isErr()) throw new Error(tenantId.error.message);
  return { tenantId: tenantId.value, roomId: room.value };
}

/** `usher audit verify`: the whole log's chains, positions and projections, on the store itself. */
function addVerify(audit: Command): void {
  withStoreOptions(
    audit.command('verify').description('Check every hash chain, the log positions and the projections; exit 1 naming the first broken event'),
  )
    .option('--json', 'machine-readable output')
    .action(async (options: StoreChoice & JsonFlag) =>
      withStore(options, (store) =>
        report({
          label: 'verify',
          json: options.json,
          run: (bar) => verify(store, { onProgress: (step) => step.phase === 'chain' && bar.update(step.processed) }),
          failure: (failure) => ({ message: `verification failed: ${failure.message}`, detail: { failure } }),
          summary: ({ events, streams, rooms }, seconds) => ({ events, streams, rooms, seconds, eventsPerSecond: perSecond(events, seconds) }),
          text: (summary) =>
            `${describeStore(options)}: ${summary.events} events in ${summary.rooms} rooms verified, with ${summary.streams - summary.rooms} identities (${summary.eventsPerSecond} events/s)`,
        }),
      ),
    );
}

/** `usher audit history`: the room's timeline, through the service, a page at a time. */
function addHistory(audit: Command): void {
  withStoreOptions(
    audit.command('history').description("A room's events as a timeline: who did what, when, with which request id").argument('<roomId>'),
  )
    .option('--tenant <tenant>', 'the tenant owning the room', 'default')
    .option('--json', 'one JSON object per event')
    .action(async (roomId: string, options: RoomFlags) =>
      withService(options, async (service) => {
        const stream = streamOf(roomId, options.tenant);
        let pageToken: string | undefined;
        do {
          const page = await service.history(stream, { pageToken, pageSize: MAX_PAGE_SIZE });
          if (page.isErr()) {
            return fail(
              options.json,
              page.error.type === 'RoomNotFound' ? `room ${roomId} of tenant ${options.tenant} has no events` : page.error.message,
            );
          }
          for (const entry of page.value.items) {
            console.log(
              options.json === true
                ? JSON.stringify(entry)
                : `v${entry.version}  ${entry.at}  ${entry.actor}${entry.requestId === null ? '' : ` [${entry.requestId}]`}  ${entry.description}`,
            );
          }
          pageToken = page.value.nextPageToken ?? undefined;
        } while (pageToken !== undefined);
        return 0;
      }),
    );
}

/** `usher audit at`: the room at an instant, through the service; the instant is read as the HTTP API reads `?at=`. */
function addAt(audit: Command): void {
  withStoreOptions(
    audit
      .command('at')
      .description('The room as it was at an instant: roster, roles, window, flags and call, by replay')
      .argument('<roomId>')
      .argument('<instant>', 'ISO-8601, e.g. 2026-11-25T14:03:00Z'),
  )
    .option('--tenant <tenant>', 'the tenant owning the room', 'default')
    .option('--json', 'the state as JSON')
    .action(async (roomId: string, instant: string, options: RoomFlags) =>
      withService(options, async (service) => {
        const at = parseTimestamp(instant, 'instant');
        if (at.isErr()) return fail(options.json, at.error.message);
        const result = await service.roomAt(streamOf(roomId, options.tenant), at.value);
        let found: { at: string; state: RoomState; version: number };
        if (result.isOk()) found = { at: result.value.at, state: result.value.state, version: result.value.version };
        // A room that never existed had not come to be at any instant: shown as before it was created.
        else if (result.error.type === 'RoomNotFound') found = { at: at.value.toISOString(), state: { status: 'absent' }, version: 0 };
        else return fail(options.json, result.error.message);
        console.log(options.json === true ? JSON.stringify(found) : describeState(found.state, found.version));
        return 0;
      }),
    );
}

/** `usher audit verify | history | at`. */
export function addAuditCommands(program: Command): void {
  const audit = program.command('audit').description('Verify a log, and read it back as history or as the state at an instant');
  addVerify(audit);
  addHistory(audit);
  addAt(audit);
}
