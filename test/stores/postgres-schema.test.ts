import { createRoomService } from '@usher/core';
import { checkPostgresSchema, migratePostgres } from '@usher/store-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock, sequentialIds, tenant } from '../support/fixtures.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { okValue } from '../support/results.js';

const url = postgresUrl();

describe.skipIf(url === null)('PostgreSQL schema', () => {
  const factory = postgresFactory(url ?? '');
  const admin = new pg.Pool({ connectionString: url ?? '', max: 1 });
  afterAll(async () => {
    await factory.dispose();
    await admin.end();
  });

  it('is migrated explicitly and once; an unmigrated schema is refused with the fix in the message', async () => {
    const schema = factory.schemaOf(await factory.open());
    expect(await migratePostgres({ connectionString: url ?? '', schema })).toEqual({ applied: [], version: 1 });
    await expect(checkPostgresSchema({ connectionString: url ?? '', schema })).resolves.toBeUndefined();
    await expect(checkPostgresSchema({ connectionString: url ?? '', schema: 'usher_never_migrated' })).rejects.toThrow(
      /is at version 0, this build needs 1: run `usher migrate --postgres <url>` first/,
    );
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
