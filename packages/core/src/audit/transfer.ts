import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { canonicalJson } from '../canonical-json.js';
import type { ChainedEvent, NewEvent } from '../envelope.js';
import type { StoreError } from '../errors.js';
import { type ChainBreak, streamVerifier } from '../hash-chain.js';
import type { EventId, RoomId, StreamKey, TenantId } from '../ids.js';
import type { EventStore } from '../ports.js';

/**
 * One event per line, fields in a fixed order and `data`/`meta` in canonical JSON, so that the same
 * log exported from any store gives the same bytes. Positions are left out: they belong to a store.
 */
export function exportLine(event: ChainedEvent): string {
  const scalar = (value: string | number) => JSON.stringify(value);
  return `{"tenantId":${scalar(event.tenantId)},"roomId":${scalar(event.roomId)},"version":${event.version},"eventId":${scalar(event.eventId)},"type":${scalar(event.type)},"schemaVersion":${event.schemaVersion},"data":${canonicalJson(event.data)},"meta":${canonicalJson(event.meta)},"prevHash":${scalar(event.prevHash)},"hash":${scalar(event.hash)}}`;
}

export interface ImportLineError {
  readonly type: 'InvalidExportLine';
  readonly line: number;
  readonly message: string;
}

const FIELDS = ['tenantId', 'roomId', 'version', 'eventId', 'type', 'schemaVersion', 'data', 'meta', 'prevHash', 'hash'] as const;

export function parseExportLine(text: string, line: number): Result<ChainedEvent, ImportLineError> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return err({ type: 'InvalidExportLine', line, message: `Line ${line} is not JSON: ${(cause as Error).message}` });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return err({ type: 'InvalidExportLine', line, message: `Line ${line} is not an object.` });
  const record = value as Record<string, unknown>;
  const missing = FIELDS.filter((field) => !(field in record));
  if (missing.length > 0) return err({ type: 'InvalidExportLine', line, message: `Line ${line} lacks ${missing.join(', ')}.` });
  if (
    typeof record.version !== 'number' ||
    typeof record.tenantId !== 'string' ||
    typeof record.roomId !== 'string' ||
    typeof record.hash !== 'string'
  ) {
    return err({ type: 'InvalidExportLine', line, message: `Line ${line} has fields of the wrong type.` });
  }
  return ok(record as unknown as ChainedEvent);
}

/** The events of an export, numbered by line (blank lines skipped), each parsed or the reason it is not an event. */
async function* exportEvents(lines: AsyncIterable<string>): AsyncGenerator<Result<ChainedEvent, ImportLineError>> {
  let count = 0;
  for await (const text of lines) {
    if (text.trim() === '') continue;
    count += 1;
    yield parseExportLine(text, count);
  }
}

/** Checks a whole export before anything is written: every stream's chain, in the order the lines come. */
export async function verifyExport(lines: AsyncIterable<string>): Promise<Result<{ events: number; streams: number }, ImportLineError | ChainBreak>> {
  const verifiers = new Map<string, ReturnType<typeof streamVerifier>>();
  let count = 0;
  for await (const parsed of exportEvents(lines)) {
    count += 1;
    if (parsed.isErr()) return err(parsed.error);
    const event = parsed.value;
    const key = `${event.tenantId}\u0000${event.roomId}`;
    let verifier = verifiers.get(key);
    if (verifier === undefined) {
      verifier = streamVerifier({ tenantId: event.tenantId as TenantId, roomId: event.roomId as RoomId });
      verifiers.set(key, verifier);
    }
    const checked = verifier.next(event);
    if (checked.isErr()) return err(checked.error);
  }
  return ok({ events: count, streams: verifiers.size });
}

export type ImportError =
  | ImportLineError
  | StoreError
  | { readonly type: 'ImportMismatch'; readonly eventId: string; readonly message: string }
  | { readonly type: 'Concurrency'; readonly message: string };

/**
 * Appends an export, a run of one stream's events at a time. Re-running an interrupted import resumes
 * it: the runs already written are recognised by their event ids (the store's idempotent re-append).
 * Every event must come out of the target with the hash it had in the export.
 */
export async function importEvents(
  store: EventStore,
  lines: AsyncIterable<string>,
  options: { readonly batchSize?: number; readonly onProgress?: (imported: number) => void } = {},
): Promise<Result<{ events: number; skipped: number }, ImportError>> {
  const batchSize = options.batchSize ?? 500;
  let run: ChainedEvent[] = [];
  let imported = 0;
  let skipped = 0;

  const flush = (): ResultAsync<void, ImportError> => {
    const first = run[0];
    if (first === undefined) return okAsync(undefined);
    const events = run;
    run = [];
    const stream = { tenantId: first.tenantId, roomId: first.roomId } as StreamKey;
    const batch = events.map(
      ({ eventId, type, data, schemaVersion, meta }) => ({ eventId: eventId as EventId, type, data, schemaVersion, meta }) as NewEvent,
    );
    return store
      .append(stream, batch, first.version - 1)
      .mapErr(
        (error): ImportError =>
          error.type === 'Concurrency'
            ? { type: 'Concurrency', message: `${error.message} The target already holds other events for this room.` }
            : error,
      )
      .andThen((appended) => {
        const broken = appended.events.find((event, index) => event.hash !== events[index]?.hash);
        if (broken !== undefined) {
          return errAsync<void, ImportError>({
            type: 'ImportMismatch',
            eventId: broken.eventId,
            message: `Event ${broken.eventId} got another hash in the target than in the export.`,
          });
        }
        if (appended.replayed) skipped += events.length;
        else imported += events.length;
        options.onProgress?.(imported + skipped);
        return okAsync(undefined);
      });
  };

  for await (const parsed of exportEvents(lines)) {
    if (parsed.isErr()) return err(parsed.error);
    const event = parsed.value;
    const last = run[run.length - 1];
    if (last !== undefined && (last.tenantId !== event.tenantId || last.roomId !== event.roomId || run.length >= batchSize)) {
      const flushed = await flush();
      if (flushed.isErr()) return err(flushed.error);
    }
    run.push(event);
  }
  const flushed = await flush();
  return flushed.map(() => ({ events: imported, skipped }));
}

/** Hands every event of a store to `write`, in log order, as export lines; answers how many there were. */
export function exportLog(store: EventStore, write: (line: string) => void | Promise<void>, pageSize = 10_000): ResultAsync<number, StoreError> {
  const page = (after: number, written: number): ResultAsync<number, StoreError> =>
    store.readAll({ afterPosition: after, limit: pageSize }).andThen((events) =>
      ResultAsync.fromSafePromise(
        (async () => {
          for (const event of events) await write(exportLine(event));
        })(),
      ).andThen(() => {
        const last = events[events.length - 1];
        return last === undefined || events.length < pageSize ? okAsync(written + events.length) : page(last.position, written + events.length);
      }),
    );
  return page(0, 0);
}
