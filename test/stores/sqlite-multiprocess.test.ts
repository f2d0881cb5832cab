import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRoomService, fold, type StreamKey, verifyStream } from '@usher/core';
import { createSqliteStore } from '@usher/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock, sequentialIds, tenant } from '../support/fixtures.js';
import { okValue } from '../support/results.js';
import { temporaryDirectory } from '../support/stores.js';
import { allParticipants, wholeLog } from './contract.js';

const run = promisify(execFile);
const WORKERS = 3;
const COMMANDS_PER_WORKER = 1000;
const ROOMS = 4;

describe('SQLite with several OS processes on one file', () => {
  const directory = temporaryDirectory('multiprocess');
  afterAll(() => directory.remove());

  it('loses no event, duplicates none, keeps versions contiguous, chains intact and projections equal to a rebuild', async () => {
    const path = join(directory.path, 'shared.db');
    const tenantId = tenant('shared');
    const setup = createSqliteStore({ path });
    const service = createRoomService({ store: setup, clock: manualClock(new Date()), ids: sequentialIds(1) });
    const streams: StreamKey[] = [];
    for (let n = 0; n < ROOMS; n += 1) streams.push((await okValue(service.createRoom(tenantId))).stream);
    await setup.close();

    const script = join(import.meta.dirname, '..', 'support', 'sqlite-writer.mjs');
    const startAt = String(Date.now() + 2000);
    const outputs = await Promise.all(
      Array.from({ length: WORKERS }, (_, worker) =>
        run(process.execPath, [script, path, tenantId, String(worker), String(COMMANDS_PER_WORKER), startAt, ...streams.map((s) => s.roomId)], {
          maxBuffer: 64 * 1024 * 1024,
        }),
      ),
    );
    const reports = outputs.map(
      (output) => JSON.parse(output.stdout) as { acknowledged: string[]; refused: Record<string, number>; started: number; finished: number },
    );
    const acknowledged = reports.flatMap((report) => report.acknowledged);
    expect(reports.map((report) => report.refused)).toEqual(reports.map(() => ({})));
    const lastStart = Math.max(...reports.map((report) => report.started));
    const firstFinish = Math.min(...reports.map((report) => report.finished));
    expect(lastStart, 'every process was writing while the others were').toBeLessThan(firstFinish);

    const store = createSqliteStore({ path });
    try {
      const log = await wholeLog(store);
      const ids = log.map((event) => event.eventId);
      expect(new Set(ids).size, 'no event id twice').toBe(ids.length);
      expect(log.map((event) => event.position)).toEqual(log.map((_, index) => index + 1));
      const stored = new Set<string>(ids);
      expect(
        acknowledged.filter((id) => !stored.has(id)),
        'every acknowledged event is stored',
      ).toEqual([]);
      expect(log.length).toBe(acknowledged.length + streams.length);

      const snapshot = async () =>
        Promise.all(streams.map(async (key) => ({ loaded: await okValue(store.loadRoom(key)), roster: await allParticipants(store, key, 7) })));
      const before = await snapshot();
      for (const [index, key] of streams.entries()) {
        const history = await okValue(store.readStream(key));
        expect(history.map((event) => event.version)).toEqual(history.map((_, version) => version + 1));
        expect(verifyStream(history).isOk()).toBe(true);
        expect(before[index]?.loaded).toEqual({ version: history.length, state: fold(history) });
      }
      await okValue(store.rebuildProjections());
      expect(await snapshot()).toEqual(before);
    } finally {
      await store.close();
    }
  });
});
