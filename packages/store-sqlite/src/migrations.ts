import { latestVersion, type Migration, type MigrationReport } from '@usher/core/store-kit';
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event log, room projection, roster, request ledger, checkpoints',
    sql: `
      CREATE TABLE events (
        position       INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id      TEXT    NOT NULL,
        room_id        TEXT    NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        event_id       TEXT    NOT NULL UNIQUE,
        type           TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        data           TEXT    NOT NULL,
        meta           TEXT    NOT NULL,
        prev_hash      TEXT    NOT NULL,
        hash           TEXT    NOT NULL,
        UNIQUE (tenant_id, room_id, version)
      );

      CREATE TABLE streams (
        tenant_id             TEXT    NOT NULL,
        room_id               TEXT    NOT NULL,
        version               INTEGER NOT NULL,
        last_hash             TEXT    NOT NULL,
        status                TEXT    NOT NULL CHECK (status IN ('absent', 'active', 'deleted')),
        state                 TEXT    NOT NULL,
        created_position      INTEGER,
        created_at            TEXT,
        valid_from            TEXT,
        valid_until           TEXT,
        pstn_dial_out_enabled INTEGER,
        UNIQUE (tenant_id, room_id)
      );

      CREATE INDEX streams_active_by_creation ON streams (tenant_id, created_position) WHERE status = 'active';

      CREATE TABLE participants (
        tenant_id      TEXT    NOT NULL,
        room_id        TEXT    NOT NULL,
        participant_id TEXT    NOT NULL,
        role           TEXT    NOT NULL,
        seq            INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, room_id, participant_id)
      ) WITHOUT ROWID;

      CREATE UNIQUE INDEX participants_by_seq ON participants (tenant_id, room_id, seq);

      CREATE TABLE requests (
        tenant_id    TEXT    NOT NULL,
        request_id   TEXT    NOT NULL,
        room_id      TEXT    NOT NULL,
        from_version INTEGER NOT NULL,
        to_version   INTEGER NOT NULL,
        at           TEXT    NOT NULL,
        PRIMARY KEY (tenant_id, request_id)
      ) WITHOUT ROWID;

      CREATE TABLE checkpoints (
        name     TEXT    PRIMARY KEY,
        position INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'page keys local to the tenant: rooms listed by creation time and id, rosters keyed by the version that added each participant',
    sql: `
      DROP INDEX streams_active_by_creation;
      CREATE INDEX streams_active_by_creation_time ON streams (tenant_id, created_at, room_id) WHERE status = 'active';

      -- seq was the log position of the event that added the participant; it becomes that event's version.
      DROP INDEX participants_by_seq;
      UPDATE participants SET seq = (SELECT version FROM events WHERE events.position = participants.seq);
      CREATE UNIQUE INDEX participants_by_seq ON participants (tenant_id, room_id, seq);
    `,
  },
  {
    version: 3,
    name: 'identities and calls: rooms by participant, calls to expire, signing keys, leases',
    sql: `
      CREATE INDEX participants_by_participant ON participants (tenant_id, participant_id);

      -- The calls the scheduler ends at validUntil: rooms with the endCall policy and a call on.
      CREATE INDEX streams_calls_to_expire ON streams (valid_until, tenant_id, room_id)
        WHERE status = 'active' AND json_extract(state, '$.room.expiryPolicy') = 'endCall' AND json_type(state, '$.room.call') = 'object';

      -- Token signing keys: kept beside the log, never in it.
      CREATE TABLE signing_keys (
        kid         TEXT PRIMARY KEY,
        created_at  TEXT NOT NULL,
        private_jwk TEXT NOT NULL,
        public_jwk  TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE leases (
        name   TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        until  TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'calls to expire keyed on a column the projection writes, not on the JSON of the state',
    sql: `
      -- Evaluating json_extract over the state on every append to keep the partial index cost more than the index.
      ALTER TABLE streams ADD COLUMN call_expires_at TEXT;
      UPDATE streams SET call_expires_at = valid_until
        WHERE status = 'active' AND json_extract(state, '$.room.expiryPolicy') = 'endCall' AND json_type(state, '$.room.call') = 'object';
      DROP INDEX streams_calls_to_expire;
      CREATE INDEX streams_calls_to_expire ON streams (call_expires_at, tenant_id, room_id) WHERE call_expires_at IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'fewer B-trees written per append: the roster clustered by its listing key, positions without AUTOINCREMENT',
    sql: `
      -- Every B-tree an append touches is one more page the commit writes to the WAL. The roster row was in
      -- three (its key, its listing order, the rooms of a participant); clustered on the listing order with
      -- one index that serves both lookups by participant, it is in two.
      CREATE TABLE participants_v5 (
        tenant_id      TEXT    NOT NULL,
        room_id        TEXT    NOT NULL,
        participant_id TEXT    NOT NULL,
        role           TEXT    NOT NULL,
        seq            INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, room_id, seq)
      ) WITHOUT ROWID;
      INSERT INTO participants_v5 (tenant_id, room_id, participant_id, role, seq)
        SELECT tenant_id, room_id, participant_id, role, seq FROM participants;
      DROP TABLE participants;
      ALTER TABLE participants_v5 RENAME TO participants;
      CREATE UNIQUE INDEX participants_by_participant ON participants (tenant_id, participant_id, room_id);

      -- AUTOINCREMENT rewrote sqlite_sequence on every append. Events are never deleted, so the largest
      -- position plus one is already a position never used before.
      CREATE TABLE events_v5 (
        position       INTEGER PRIMARY KEY,
        tenant_id      TEXT    NOT NULL,
        room_id        TEXT    NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        event_id       TEXT    NOT NULL UNIQUE,
        type           TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        data           TEXT    NOT NULL,
        meta           TEXT    NOT NULL,
        prev_hash      TEXT    NOT NULL,
        hash           TEXT    NOT NULL,
        UNIQUE (tenant_id, room_id, version)
      );
      INSERT INTO events_v5 (position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
        SELECT position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash FROM events;
      DROP TABLE events;
      ALTER TABLE events_v5 RENAME TO events;
      DELETE FROM sqlite_sequence WHERE name = 'events';
    `,
  },
  {
    version: 6,
    name: 'event subscriptions and their dead letters',
    sql: `
      -- A tenant's webhooks: kept beside the log, never in it (they hold secrets).
      CREATE TABLE event_subscriptions (
        tenant_id             TEXT    NOT NULL,
        name                  TEXT    NOT NULL,
        endpoint_url          TEXT    NOT NULL,
        included_event_types  TEXT,   -- a JSON array of event types; NULL for every type
        event_delivery_schema TEXT    NOT NULL CHECK (event_delivery_schema IN ('EventGridSchema', 'CloudEventSchemaV1_0')),
        secret                TEXT,
        created_at            TEXT    NOT NULL,
        start_after           INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, name)
      ) WITHOUT ROWID;

      -- The events a subscription gave up delivering. A rowid table: a letter holds the whole event.
      CREATE TABLE dead_letters (
        tenant_id        TEXT    NOT NULL,
        subscription     TEXT    NOT NULL,
        event_id         TEXT    NOT NULL,
        position         INTEGER NOT NULL,
        event_type       TEXT    NOT NULL,
        event            TEXT    NOT NULL,
        attempts         INTEGER NOT NULL,
        last_error       TEXT    NOT NULL,
        dead_lettered_at TEXT    NOT NULL,
        queued           INTEGER NOT NULL CHECK (queued IN (0, 1)),
        PRIMARY KEY (tenant_id, subscription, event_id)
      );

      -- A subscription's letters in listing order.
      CREATE UNIQUE INDEX dead_letters_by_position ON dead_letters (tenant_id, subscription, position, event_id);
      -- The letters waiting for redelivery, every tenant's, in the order they are redelivered.
      CREATE INDEX dead_letters_queued ON dead_letters (position, event_id, tenant_id, subscription) WHERE queued = 1;
    `,
  },
  {
    version: 7,
    name: 'the stream head read from the log: an append that changes only the roster leaves the stream row be',
    sql: `
      -- Every B-tree an append touches is one more page its commit writes. The stream row's version and
      -- hash changed on every append, so every append rewrote the row; they are the stream's last event,
      -- which the log's (tenant_id, room_id, version) index finds at once. The row now changes only with
      -- the room's own state (its window, settings, call) or its summary, and a change to the roster, the
      -- commonest write, writes the event and the roster row alone.
      ALTER TABLE streams DROP COLUMN version;
      ALTER TABLE streams DROP COLUMN last_hash;
    `,
  },
  {
    version: 8,
    name: 'streams keyed by an integer: the log’s version index and the roster key on it instead of the tenant and room ids',
    sql: `
      -- An append inserts into the version index and the roster in the middle of their B-trees, where SQLite
      -- rebalances a full leaf with its siblings every few inserts. Entries that begin with a small integer
      -- rather than two ids are a fraction of the size: more of them to a page, fewer rebalances, fewer pages
      -- for each commit to write. The key is the stream row's rowid, made explicit so that VACUUM keeps it;
      -- the log holds it too, so that a rebuild gives each stream its key back.
      CREATE TABLE streams_v8 (
        stream_key            INTEGER PRIMARY KEY,
        tenant_id             TEXT    NOT NULL,
        room_id               TEXT    NOT NULL,
        status                TEXT    NOT NULL CHECK (status IN ('absent', 'active', 'deleted')),
        state                 TEXT    NOT NULL,
        created_position      INTEGER,
        created_at            TEXT,
        valid_from            TEXT,
        valid_until           TEXT,
        pstn_dial_out_enabled INTEGER,
        call_expires_at       TEXT,
        UNIQUE (tenant_id, room_id)
      );
      INSERT INTO streams_v8 (stream_key, tenant_id, room_id, status, state, created_position, created_at, valid_from,
                              valid_until, pstn_dial_out_enabled, call_expires_at)
        SELECT rowid, tenant_id, room_id, status, state, created_position, created_at, valid_from,
               valid_until, pstn_dial_out_enabled, call_expires_at
        FROM streams;
      -- A stream with events and no row (a file changed behind the store's back) still gets a key, so that
      -- no event is left out; \`usher rebuild\` then gives it its projection.
      INSERT INTO streams_v8 (tenant_id, room_id, status, state)
        SELECT DISTINCT tenant_id, room_id, 'absent', '{"status":"absent"}'
        FROM events
        WHERE NOT EXISTS (SELECT 1 FROM streams_v8 WHERE streams_v8.tenant_id = events.tenant_id AND streams_v8.room_id = events.room_id);
      DROP TABLE streams;
      ALTER TABLE streams_v8 RENAME TO streams;
      CREATE INDEX streams_active_by_creation_time ON streams (tenant_id, created_at, room_id) WHERE status = 'active';
      CREATE INDEX streams_calls_to_expire ON streams (call_expires_at, tenant_id, room_id) WHERE call_expires_at IS NOT NULL;

      CREATE TABLE events_v8 (
        position       INTEGER PRIMARY KEY,
        stream_key     INTEGER NOT NULL,
        tenant_id      TEXT    NOT NULL,
        room_id        TEXT    NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        event_id       TEXT    NOT NULL UNIQUE,
        type           TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        data           TEXT    NOT NULL,
        meta           TEXT    NOT NULL,
        prev_hash      TEXT    NOT NULL,
        hash           TEXT    NOT NULL,
        UNIQUE (stream_key, version)
      );
      INSERT INTO events_v8 (position, stream_key, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
        SELECT events.position, streams.stream_key, events.tenant_id, events.room_id, events.version, events.event_id, events.type,
               events.schema_version, events.data, events.meta, events.prev_hash, events.hash
        FROM events JOIN streams ON streams.tenant_id = events.tenant_id AND streams.room_id = events.room_id;
      DROP TABLE events;
      ALTER TABLE events_v8 RENAME TO events;

      -- A stream key names one tenant's room, so the roster needs no tenant of its own.
      CREATE TABLE participants_v8 (
        stream_key     INTEGER NOT NULL,
        seq            INTEGER NOT NULL,
        participant_id TEXT    NOT NULL,
        role           TEXT    NOT NULL,
        PRIMARY KEY (stream_key, seq)
      ) WITHOUT ROWID;
      INSERT INTO participants_v8 (stream_key, seq, participant_id, role)
        SELECT streams.stream_key, participants.seq, participants.participant_id, participants.role
        FROM participants JOIN streams ON streams.tenant_id = participants.tenant_id AND streams.room_id = participants.room_id;
      DROP TABLE participants;
      ALTER TABLE participants_v8 RENAME TO participants;
      CREATE UNIQUE INDEX participants_by_participant ON participants (participant_id, stream_key);
    `,
  },
];

export const SCHEMA_VERSION = latestVersion(MIGRATIONS);

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`;

const APPLIED_VERSIONS = 'SELECT version FROM schema_migrations ORDER BY version';
const RECORD_MIGRATION = 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)';

/** Brings the schema up to date in one write transaction, so that processes starting together on a new file do not race. */
export function migrate(db: Database.Database, at: Date = new Date()): MigrationReport {
  const run = db.transaction((): MigrationReport => {
    db.exec(CREATE_LEDGER);
    const done = new Set(
      db
        .prepare<[], { version: number }>(APPLIED_VERSIONS)
        .all()
        .map((row) => row.version),
    );
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      db.exec(migration.sql);
      db.prepare(RECORD_MIGRATION).run(migration.version, migration.name, at.toISOString());
      applied.push(migration.version);
    }
    return { applied, version: SCHEMA_VERSION };
  });
  return run.immediate();
}

/** The schema version of an opened file, 0 when it has never been migrated. */
export function schemaVersionOf(db: Database.Database): number {
  const ledger = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (ledger === undefined) return 0;
  const row = db.prepare<[], { version: number | null }>('SELECT max(version) AS version FROM schema_migrations').get();
  return row?.version ?? 0;
}
