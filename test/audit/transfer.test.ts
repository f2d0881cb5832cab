import { createRoomService, type EventStore, exportLog, identityStream, importEvents, type LogStreamKey, verifyExport } from '@usher/core';
import { joseAccessTokens } from '@usher/core/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, manualClock, participant, sequentialIds, tenant } from '../support/fixtures.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { errValue, okValue } from '../support/results.js';
import { memoryFactory, type StoreFactory, sqliteFactory } from '../support/stores.js';

async function* each(lines: readonly string[]): AsyncGenerator<string> {
  yield* lines;
}

async function exported(store: EventStore): Promise<string[]> {
  const lines: string[] = [];
  await okValue(exportLog(store, (line) => void lines.push(line), 7));
  return lines;
}

/** Rooms with calls, and identities with tokens (issued, revoked, deleted): both kinds of stream travel with the log. */
async function seed(store: EventStore): Promise<LogStreamKey[]> {
  const clock = manualClock();
  const service = createRoomService({ store, clock, ids: sequentialIds(4), tokens: joseAccessTokens(store.signingKeys, clock) });
  const streams: LogStreamKey[] = [];
  for (let n = 0; n < 2; n += 1) {
    const made = await okValue(service.createIdentity(tenant(`t${n}`), { scopes: ['voip'] }));
    const key = { tenantId: tenant(`t${n}`), identityId: made.identityId };
    await okValue(service.revokeTokens(key));
    await okValue(service.issueToken(key, ['voip', 'chat'], 60));
    if (n === 1) await okValue(service.deleteIdentity(key));
    streams.push(identityStream(key));
  }
  for (let n = 0; n < 4; n += 1) {
    const room = (
      await okValue(
        service.createRoom(tenant(`t${n % 2}`), {
          validUntil: new Date(clock.now().getTime() + DAY),
          participants: [{ id: participant(n), role: 'Presenter' }],
        }),
      )
    ).stream;
    streams.push(room);
    await okValue(service.addParticipants(room, [{ id: participant(`a${n}`), role: 'Collaborator' }], { requestId: `r${n}` }));
    await okValue(service.joinCall(room, participant(n)));
    clock.advance(HOUR);
    await okValue(service.removeParticipants(room, [participant(n)]));
  }
  return streams;
}

const url = postgresUrl();
const factories = (): StoreFactory[] => [memoryFactory(), sqliteFactory(), ...(url === null ? [] : [postgresFactory(url)])];

describe('export and import across stores', () => {
  const made = factories();
  afterAll(async () => {
    for (const factory of made) await factory.dispose();
  });

  it(`gives byte-identical exports and identical streams and hashes in ${made.map((f) => f.name).join(', ')}`, async () => {
    const source = await (made[0] as StoreFactory).open();
    const streams = await seed(source);
    const reference = await exported(source);
    expect(reference.length).toBeGreaterThan(10);
    expect(await okValue(verifyExport(each(reference)))).toEqual({ events: reference.length, streams: streams.length });
    for (const target of made) {
      const store = await target.open();
      expect(await okValue(importEvents(store, each(reference), { batchSize: 3 }))).toEqual({ events: reference.length, skipped: 0 });
      expect(await exported(store)).toEqual(reference);
      for (const stream of streams) {
        expect(await okValue(store.loadStream(stream))).toEqual(await okValue(source.loadStream(stream)));
      }
      // Round trip: what this store exports imports into the next one unchanged.
      const again = await (made[(made.indexOf(target) + 1) % made.length] as StoreFactory).open();
      await okValue(importEvents(again, each(await exported(store))));
      expect(await exported(again)).toEqual(reference);
    }
  });

  it('refuses an export whose chain does not verify, naming the event', async () => {
    const source = await (made[0] as StoreFactory).open();
    await seed(source);
    const lines = await exported(source);
    const victim = JSON.parse(lines[5] ?? '{}') as { meta: { actor: string }; eventId: string; version: number };
    victim.meta.actor = 'mallory';
    const tampered = [...lines.slice(0, 5), JSON.stringify(victim), ...lines.slice(6)];
    expect(await errValue(verifyExport(each(tampered)))).toMatchObject({
      type: 'ChainBroken',
      eventId: victim.eventId,
      version: victim.version,
    });
    expect(await errValue(verifyExport(each(['{"not":"an event"}'])))).toMatchObject({ type: 'InvalidExportLine', line: 1 });
  });

  it('resumes an interrupted import', async () => {
    const source = await (made[0] as StoreFactory).open();
    await seed(source);
    const lines = await exported(source);
    const target = await (made[1] as StoreFactory).open();
    const cut = Math.floor(lines.length / 2);
    await okValue(importEvents(target, each(lines.slice(0, cut)), { batchSize: 3 }));
    const resumed = await okValue(importEvents(target, each(lines), { batchSize: 3 }));
    expect(resumed.events + resumed.skipped).toBe(lines.length);
    expect(resumed.skipped).toBeGreaterThan(0);
    expect(await exported(target)).toEqual(lines);
  });
});
