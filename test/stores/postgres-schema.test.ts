import { createRoomService } from '@usher/core';
import { checkPostgresSchema, migratePostgres, SCHEMA_VERSION } from '@usher/store-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock, sequentialIds, tenant } from '../support/fixtures.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { okValue } from '../support/results.js';
import { wholeLog } from './contract.js';
import { interleavedRooms } from './version-2-upgrade.js';
import { callInProgress, DOWNGRADE_TO_2, expectFoundAfterUpgrade } from './version-3-upgrade.js';

const url = postgresUrl();

/** Back to what version 4 left: no event subscriptions, no dead letters. */
// Version 6 replaced a function in place (the append's duplicate check): going back, only its record goes.
const DOWNGRADE_TO_4 = `
  DELETE FROM schema_migrations WHERE version = 6;
  DROP TABLE dead_letters;
  DROP TABLE event_subscriptions;
  DELETE FROM schema_migrations WHERE version = 5;`;

describe.skipIf(url === null)('PostgreSQL schema', () => {
  const factory = postgresFactory(url ?? '');
  const admin = new pg.Pool({ connectionString: url ?? '', max: 1 });
  afterAll(async () => {
    await factory.dispose();
    await admin.end();
  });

  it('is migrated explicitly and once; an unmigrated schema is refused with the fix in the message', async () => {
    const schema = factory.schemaOf(await factory.open());
    expect(await migratePostgres({ connectionString: url ?? '', schema })).toEqual({ applied: [], version: SCHEMA_VERSION });
    await expect(checkPostgresSchema({ connectionString: url ?? '', schema })).resolves.toBeUndefined();
    await expect(checkPostgresSchema({ connectionString: url ?? '', schema: 'usher_never_migrated' })).rejects.toThrow(
      new RegExp(`is at version 0, this build needs ${SCHEMA_VERSION}: run \`usher migrate --postgres <url>\` first`),
    );
  });

  it('upgrades a version-1 schema: roster keys become versions, listings show what they showed', async () => {
    const store = await factory.open();
    const schema = factory.schemaOf(store);
    const { listings } = await interleavedRooms(store);
    const before = await listings(store);
    // Back to what version 1 left: the roster keyed by the log position of the adding event, rooms by position.
    await admin.query(`
      SET search_path TO "${schema}";
      ${DOWNGRADE_TO_4}
      DROP INDEX participants_by_seq;
      UPDATE participants SET seq = e.position FROM events e
        WHERE e.tenant_id = participants.tenant_id AND e.room_id = participants.room_id AND e.version = participants.seq;
      CREATE UNIQUE INDEX participants_by_seq ON participants (tenant_id, room_id, seq);
      DROP INDEX streams_active_by_creation_time;
      CREATE INDEX streams_active_by_creation ON streams (tenant_id, created_position) WHERE status = 'active';
      DELETE FROM schema_migrations WHERE version = 2;
      RESET search_path;`);
    const positions = (await admin.query<{ seq: number }>(`SELECT seq FROM "${schema}".participants`)).rows;
    expect(Math.max(...positions.map((row) => Number(row.seq)))).toBeGreaterThan(10);

    expect(await migratePostgres({ connectionString: url ?? '', schema })).toEqual({ applied: [2, 5, 6], version: SCHEMA_VERSION });
    expect(await listings(store)).toEqual(before);
    const keyed = await admin.query<{ participant_id: string; participant: string }>(
      `SELECT p.participant_id, e.data->>'participant' AS participant FROM "${schema}".participants p JOIN "${schema}".events e
         ON e.tenant_id = p.tenant_id AND e.room_id = p.room_id AND e.version = p.seq AND e.type = 'ParticipantAdded'`,
    );
    expect(keyed.rows).toHaveLength(positions.length);
    for (const row of keyed.rows) expect(row.participant).toBe(row.participant_id);
  });

  it('upgrades a version-2 schema: a call on in an endCall room is found by the expiry schedule', async () => {
    const store = await factory.open();
    const schema = factory.schemaOf(store);
    const room = await callInProgress(store);
    // Versions 6, 5 (event subscriptions) and 4 (PostgreSQL only: group commit's function) go first.
    await admin.query(
      `SET search_path TO "${schema}"; ${DOWNGRADE_TO_4} DROP FUNCTION usher_append_batch(jsonb); DELETE FROM schema_migrations WHERE version = 4; ${DOWNGRADE_TO_2} RESET search_path;`,
    );
    await expect(checkPostgresSchema({ connectionString: url ?? '', schema })).rejects.toThrow(/is at version 2/);
    expect(await migratePostgres({ connectionString: url ?? '', schema })).toEqual({ applied: [3, 4, 5, 6], version: SCHEMA_VERSION });
    await expectFoundAfterUpgrade(store, room);
  });

  it('upgrades a version-4 schema: the same log, with event subscriptions and dead letters kept beside it', async () => {
    const store = await factory.open();
    const schema = factory.schemaOf(store);
    await interleavedRooms(store);
    const log = await wholeLog(store);
    await admin.query(`SET search_path TO "${schema}"; ${DOWNGRADE_TO_4} RESET search_path;`);
    await expect(checkPostgresSchema({ connectionString: url ?? '', schema })).rejects.toThrow(/is at version 4/);
    expect(await migratePostgres({ connectionString: url ?? '', schema })).toEqual({ applied: [5, 6], version: SCHEMA_VERSION });
    expect(await wholeLog(store)).toEqual(log);
    const subscription = {
      tenantId: tenant('contoso'),
      name: 'orders',
      endpointUrl: 'https://hooks.example.com/orders',
      includedEventTypes: null,
      eventDeliverySchema: 'EventGridSchema' as const,
      secret: null,
      createdAt: '2026-01-05T09:00:00.000Z',
      startAfter: log.length,
    };
    expect(await okValue(store.eventSubscriptions.put(subscription))).toBe('created');
    expect(await okValue(store.eventSubscriptions.all())).toEqual([subscription]);
  });

  it('makes a duplicated or orphaned event impossible, whoever writes', async () => {
    const store = await factory.open();
    const schema = factory.schemaOf(store);
    const room = (await okValue(createRoomService({ store, clock: manualClock(), ids: sequentialIds(1) }).createRoom(tenant('contoso')))).stream;
    const insert = (position: number, roomId: string, version: number, eventId: string) =>
      admin.query(
        `INSERT INTO "${schema}".events (position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, 'RoomDeleted', 1, '{}', '{}', '', '')`,
        [position, room.tenantId, roomId, version, eventId],
      );
    await expect(insert(100, room.roomId, 1, 'X1')).rejects.toThrow(/events_tenant_id_room_id_version_key/);
    await expect(insert(100, room.roomId, 2, (await okValue(store.readStream(room)))[0]?.eventId ?? '')).rejects.toThrow(/events_event_id_key/);
    await expect(insert(1, room.roomId, 2, 'X2')).rejects.toThrow(/events_pkey/);
    await expect(insert(100, '99999999999999999', 1, 'X3')).rejects.toThrow(/foreign key/);
  });
});
