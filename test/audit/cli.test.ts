import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRoomService, type StreamKey } from '@usher/core';
import { createSqliteStore } from '@usher/store-sqlite';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, manualClock, participant, sequentialIds, T0, tenant } from '../support/fixtures.js';
import { postgresUrl } from '../support/postgres.js';
import { okValue } from '../support/results.js';
import { temporaryDirectory } from '../support/stores.js';
import { MAIN, usher } from '../support/usher-process.js';

describe('usher audit, export, import and rebuild', () => {
  const directory = temporaryDirectory('audit-cli');
  afterAll(() => directory.remove());
  const db = join(directory.path, 'log.db');

  const file = join(directory.path, 'log.ndjson');
  let room: StreamKey;

  /** A small log on SQLite, and its export: what both tests below start from. */
  beforeAll(async () => {
    const store = createSqliteStore({ path: db });
    const clock = manualClock();
    const service = createRoomService({ store, clock, ids: sequentialIds(1) });
    room = (
      await okValue(
        service.createRoom(
          tenant('default'),
          { participants: [{ id: participant('alice'), role: 'Presenter' }] },
          { actor: 'tenant:default', requestId: 'req-1' },
        ),
      )
    ).stream;
    clock.advance(HOUR);
    await okValue(service.addParticipants(room, [{ id: participant('bob'), role: 'Attendee' }], { requestId: 'req-2' }));
    clock.advance(HOUR);
    await okValue(service.addParticipants(room, [{ id: participant('alice'), role: 'Consumer' }]));
    await store.close();
    expect((await usher('export', '--db', db, '--out', file)).code).toBe(0);
  });

  it('answers who was in the room with which role at an instant, and proves the log', async () => {
    const verified = await usher('audit', 'verify', '--db', db);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/4 events in 1 rooms verified, with 0 identities/);
    expect(verified.stderr).toBe('');

    const history = await usher('audit', 'history', room.roomId, '--db', db);
    expect(history.stdout.trim().split('\n')).toEqual([
      `v1  ${T0.toISOString()}  tenant:default [req-1]  room created, open ${T0.toISOString()} to ${new Date(T0.getTime() + 180 * 24 * HOUR).toISOString()}, PSTN dial-out off, expiry blockJoins`,
      `v2  ${T0.toISOString()}  tenant:default [req-1]  ${participant('alice')} invited as Presenter`,
      `v3  ${new Date(T0.getTime() + HOUR).toISOString()}  system [req-2]  ${participant('bob')} invited as Attendee`,
      `v4  ${new Date(T0.getTime() + 2 * HOUR).toISOString()}  system  ${participant('alice')} changed from Presenter to Consumer`,
    ]);

    const at = await usher('audit', 'at', room.roomId, new Date(T0.getTime() + HOUR + 1).toISOString(), '--db', db, '--json');
    const state = JSON.parse(at.stdout) as { version: number; state: { room: { roster: Record<string, string> } } };
    expect(state.version).toBe(3);
    expect(state.state.room.roster).toEqual({ [participant('alice')]: 'Presenter', [participant('bob')]: 'Attendee' });

    // The instant is read as GET /rooms/{id}/state?at= reads it: a time without an offset names no instant.
    for (const instant of ['2026-01-05T10:00:00', '2026-01-05', 'yesterday']) {
      const refused = await usher('audit', 'at', room.roomId, instant, '--db', db);
      expect(refused.code, instant).toBe(1);
      expect(refused.stderr, instant).toMatch(/instant must be an ISO-8601 date-time with an offset/);
    }
    const offset = await usher('audit', 'at', room.roomId, '2026-01-05T11:00:00.001+01:00', '--db', db, '--json');
    expect(JSON.parse(offset.stdout)).toMatchObject({ at: '2026-01-05T10:00:00.001Z', version: 3 });

    const copy = join(directory.path, 'copy.db');
    const imported = await usher('import', file, '--db', copy, '--json');
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, imported: 4, alreadyPresent: 0 });
    const piped = await usher('export', '--db', copy);
    expect(piped.stdout).toBe(readFileSync(file, 'utf8'));
    expect(piped.stderr).toBe('');

    // A pipe: usher export | usher import - (standard input is read whole before anything is written).
    const fromStdin = join(directory.path, 'from-stdin.db');
    const { USHER_PG_URL: _postgres, ...env } = process.env;
    const pipedIn = execFileSync(
      'bash',
      ['-c', `"${process.execPath}" "${MAIN}" export --db "${copy}" | "${process.execPath}" "${MAIN}" import - --db "${fromStdin}" --json`],
      {
        encoding: 'utf8',
        env,
      },
    );
    expect(JSON.parse(pipedIn)).toMatchObject({ ok: true, imported: 4, alreadyPresent: 0 });
    expect((await usher('export', '--db', fromStdin)).stdout).toBe(readFileSync(file, 'utf8'));

    const rebuilt = await usher('rebuild', '--db', copy, '--json');
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ ok: true, events: 4, rooms: 1 });

    const tamper = new Database(db);
    tamper.prepare("UPDATE events SET meta = replace(meta, 'system', 'mallory') WHERE version = 3").run();
    tamper.close();
    const broken = await usher('audit', 'verify', '--db', db);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(new RegExp(`tenant default, room ${room.roomId}, version 3`));
    const refused = await usher('export', '--db', db, '--out', join(directory.path, 'tampered.ndjson'));
    expect(refused.code).toBe(0);
    const notImported = await usher('import', join(directory.path, 'tampered.ndjson'), '--db', join(directory.path, 'never.db'));
    expect(notImported.code).toBe(1);
    expect(notImported.stderr).toMatch(/refused: .*version 3/);
  });

  const url = postgresUrl();
  it.skipIf(url === null)('work the same on PostgreSQL: migrate, import, verify, history, rebuild, export', async () => {
    const schema = `usher_cli_${process.pid}`;
    const postgres = ['--postgres', url ?? '', '--schema', schema];
    try {
      expect((await usher('migrate', ...postgres)).stdout).toMatch(/migrated to version 6 \(applied 1, 2, 3, 4, 5, 6\)/);
      const imported = await usher('import', file, ...postgres, '--json');
      expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, imported: 4 });
      expect(JSON.parse((await usher('audit', 'verify', ...postgres, '--json')).stdout)).toMatchObject({ ok: true, events: 4, streams: 1, rooms: 1 });
      const roomId = room.roomId;
      expect((await usher('audit', 'history', roomId, ...postgres)).stdout.trim().split('\n')).toHaveLength(4);
      expect(JSON.parse((await usher('rebuild', ...postgres, '--json')).stdout)).toMatchObject({ ok: true, events: 4, rooms: 1 });
      expect((await usher('export', ...postgres)).stdout).toBe(readFileSync(file, 'utf8'));
    } finally {
      const admin = new pg.Client({ connectionString: url ?? '' });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
  it('shows an example under every command’s --help', async () => {
    const commands = [
      ['serve'],
      ['migrate'],
      ['audit', 'verify'],
      ['audit', 'history'],
      ['audit', 'at'],
      ['export'],
      ['import'],
      ['rebuild'],
      ['keys', 'list'],
      ['keys', 'rotate'],
      ['webhooks', 'list'],
      ['webhooks', 'add'],
      ['webhooks', 'remove'],
      ['webhooks', 'dead-letters'],
      ['webhooks', 'redeliver'],
    ];
    for (const command of commands) {
      const help = await usher(...command, '--help');
      expect(help.code, command.join(' ')).toBe(0);
      expect(help.stdout, command.join(' ')).toMatch(new RegExp(`Examples?:\\n {2}\\$ usher ${command.join(' ')} `));
    }
  });
});
