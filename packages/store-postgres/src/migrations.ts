import { latestVersion, type Migration, type MigrationReport } from '@usher/core/store-kit';
import type { Pool } from 'pg';

/**
 * Append-only. The append function takes one transaction-scoped advisory lock, so appends commit one
 * after another in position order, and positions are max + 1 under that lock: a reader of
 * `position > p` sees a gap-free prefix of the log, never a later event before an earlier one.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event log, room projection, roster, request ledger, checkpoints, append function',
    sql: `
      CREATE TABLE tenants (
        tenant_id  text        PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE events (
        position       bigint  PRIMARY KEY,
        tenant_id      text    NOT NULL,
        room_id        text    NOT NULL,
        version        integer NOT NULL CHECK (version >= 1),
        event_id       text    NOT NULL UNIQUE,
        type           text    NOT NULL,
        schema_version integer NOT NULL,
        data           jsonb   NOT NULL,
        meta           jsonb   NOT NULL,
        prev_hash      text    NOT NULL,
        hash           text    NOT NULL,
        UNIQUE (tenant_id, room_id, version)
      );

      CREATE TABLE streams (
        tenant_id             text    NOT NULL,
        room_id               text    NOT NULL,
        version               integer NOT NULL,
        last_hash             text    NOT NULL,
        status                text    NOT NULL CHECK (status IN ('absent', 'active', 'deleted')),
        state                 jsonb   NOT NULL,
        created_position      bigint,
        created_at            text,
        valid_from            text,
        valid_until           text,
        pstn_dial_out_enabled boolean,
        PRIMARY KEY (tenant_id, room_id),
        FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id)
      );

      -- No event without its room's row: checked at commit, because an append writes the events first.
      ALTER TABLE events ADD FOREIGN KEY (tenant_id, room_id) REFERENCES streams (tenant_id, room_id) DEFERRABLE INITIALLY DEFERRED;

      CREATE INDEX streams_active_by_creation ON streams (tenant_id, created_position) WHERE status = 'active';

      CREATE TABLE participants (
        tenant_id      text   NOT NULL,
        room_id        text   NOT NULL,
        participant_id text   NOT NULL,
        role           text   NOT NULL,
        seq            bigint NOT NULL,
        PRIMARY KEY (tenant_id, room_id, participant_id)
      );

      CREATE UNIQUE INDEX participants_by_seq ON participants (tenant_id, room_id, seq);

      CREATE TABLE requests (
        tenant_id    text    NOT NULL,
        request_id   text    NOT NULL,
        room_id      text    NOT NULL,
        from_version integer NOT NULL,
        to_version   integer NOT NULL,
        at           text    NOT NULL,
        PRIMARY KEY (tenant_id, request_id)
      );

      CREATE TABLE checkpoints (
        name     text   PRIMARY KEY,
        position bigint NOT NULL
      );

      -- The projections of a run of consecutive events of one stream whose first position is base + 1:
      -- shared by usher_append and by rebuilds, so that a rebuild can only give what the appends gave.
      CREATE FUNCTION usher_project(p jsonb, base bigint, prior_created bigint) RETURNS void LANGUAGE plpgsql AS $fn$
      DECLARE
        change jsonb;
      BEGIN
        INSERT INTO tenants (tenant_id) VALUES (p->>'tenantId') ON CONFLICT DO NOTHING;

        FOR change IN SELECT * FROM jsonb_array_elements(p->'roster') LOOP
          IF change->>'kind' = 'add' THEN
            INSERT INTO participants (tenant_id, room_id, participant_id, role, seq)
            VALUES (p->>'tenantId', p->>'roomId', change->>'participant', change->>'role', base + (change->>'index')::integer + 1)
            ON CONFLICT (tenant_id, room_id, participant_id) DO UPDATE SET role = excluded.role, seq = excluded.seq;
          ELSIF change->>'kind' = 'changeRole' THEN
            UPDATE participants SET role = change->>'role'
             WHERE tenant_id = p->>'tenantId' AND room_id = p->>'roomId' AND participant_id = change->>'participant';
          ELSIF change->>'kind' = 'remove' THEN
            DELETE FROM participants
             WHERE tenant_id = p->>'tenantId' AND room_id = p->>'roomId' AND participant_id = change->>'participant';
          ELSE
            DELETE FROM participants WHERE tenant_id = p->>'tenantId' AND room_id = p->>'roomId';
          END IF;
        END LOOP;

        FOR change IN SELECT * FROM jsonb_array_elements(p->'requests') LOOP
          INSERT INTO requests (tenant_id, request_id, room_id, from_version, to_version, at)
          VALUES (p->>'tenantId', change->>'requestId', p->>'roomId', (change->>'version')::integer, (change->>'version')::integer, change->>'at')
          ON CONFLICT (tenant_id, request_id) DO UPDATE SET to_version = excluded.to_version
          WHERE requests.room_id = excluded.room_id AND requests.to_version = excluded.from_version - 1;
        END LOOP;

        INSERT INTO streams (tenant_id, room_id, version, last_hash, status, state, created_position,
                             created_at, valid_from, valid_until, pstn_dial_out_enabled)
        VALUES (p->>'tenantId', p->>'roomId', (p->>'version')::integer, p->>'lastHash', p->>'status', p->'state',
                CASE WHEN p->'createdIndex' = 'null'::jsonb THEN prior_created ELSE base + (p->>'createdIndex')::integer + 1 END,
                p->>'createdAt', p->>'validFrom', p->>'validUntil', (p->>'pstn')::boolean)
        ON CONFLICT (tenant_id, room_id) DO UPDATE SET
          version = excluded.version, last_hash = excluded.last_hash, status = excluded.status, state = excluded.state,
          created_position = excluded.created_position, created_at = excluded.created_at, valid_from = excluded.valid_from,
          valid_until = excluded.valid_until, pstn_dial_out_enabled = excluded.pstn_dial_out_enabled;

      END
      $fn$;

      -- One round trip per append. p: { tenantId, roomId, expected, assumedVersion, assumedHash, events[],
      -- state, status, createdAt, validFrom, validUntil, pstn, createdIndex, roster[], requests[] }.
      -- Answers { status: 'ok', positions } or 'duplicate' | 'conflict' | 'stale' with what it found.
      CREATE FUNCTION usher_append(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
      DECLARE
        head        record;
        actual_version integer;
        base        bigint;
        event       jsonb;
        change      jsonb;
        positions   bigint[] := '{}';
        i           integer := 0;
        expected    jsonb := p->'expected';
      BEGIN
        PERFORM pg_advisory_xact_lock(7231514);

        IF EXISTS (SELECT 1 FROM events WHERE event_id IN (SELECT jsonb_array_elements_text(p->'eventIds'))) THEN
          RETURN jsonb_build_object('status', 'duplicate');
        END IF;

        SELECT version, last_hash, state, created_position INTO head
          FROM streams WHERE tenant_id = p->>'tenantId' AND room_id = p->>'roomId';
        actual_version := coalesce(head.version, 0);

        IF NOT (
          expected = '"any"'::jsonb
          OR (expected = '"noStream"'::jsonb AND actual_version = 0)
          OR (expected = '"exists"'::jsonb AND actual_version > 0)
          OR (jsonb_typeof(expected) = 'number' AND (expected)::integer = actual_version)
        ) THEN
          RETURN jsonb_build_object('status', 'conflict', 'actual', actual_version);
        END IF;

        IF actual_version <> (p->>'assumedVersion')::integer OR coalesce(head.last_hash, repeat('0', 64)) <> p->>'assumedHash' THEN
          RETURN jsonb_build_object('status', 'stale', 'version', actual_version, 'lastHash', head.last_hash,
                                    'state', head.state, 'createdPosition', head.created_position);
        END IF;

        IF jsonb_array_length(p->'events') = 0 THEN
          RETURN jsonb_build_object('status', 'ok', 'positions', '[]'::jsonb);
        END IF;

        SELECT coalesce(max(position), 0) INTO base FROM events;
        FOR event IN SELECT * FROM jsonb_array_elements(p->'events') LOOP
          i := i + 1;
          positions := positions || (base + i);
          INSERT INTO events (position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
          VALUES (base + i, p->>'tenantId', p->>'roomId', (event->>'version')::integer, event->>'eventId', event->>'type',
                  (event->>'schemaVersion')::integer, event->'data', event->'meta', event->>'prevHash', event->>'hash');
        END LOOP;

        PERFORM usher_project(p, base, head.created_position);

        RETURN jsonb_build_object('status', 'ok', 'positions', to_jsonb(positions));
      END
      $fn$;
    `,
  },
  {
    version: 2,
    name: 'page keys local to the tenant: rooms listed by creation time and id, rosters keyed by the version that added each participant',
    sql: `
      DROP INDEX streams_active_by_creation;
      -- Byte order ("C"), whatever the database's collation: the memory and SQLite stores list in the same order.
      CREATE INDEX streams_active_by_creation_time ON streams (tenant_id, created_at COLLATE "C", room_id COLLATE "C") WHERE status = 'active';

      -- seq was the log position of the event that added the participant; it becomes that event's version.
      DROP INDEX participants_by_seq;
      UPDATE participants SET seq = events.version FROM events WHERE events.position = participants.seq;
      CREATE UNIQUE INDEX participants_by_seq ON participants (tenant_id, room_id, seq);

      -- As in version 1, but for the roster key: the version of the event that added the participant.
      CREATE OR REPLACE FUNCTION usher_project(p jsonb, base bigint, prior_created bigint) RETURNS void LANGUAGE plpgsql AS $fn$
      DECLARE
        change jsonb;
      BEGIN
        INSERT INTO tenants (tenant_id) VALUES (p->>'tenantId') ON CONFLICT DO NOTHING;

        FOR change IN SELECT * FROM jsonb_array_elements(p->'roster') LOOP
          IF change->>'kind' = 'add' THEN
            INSERT INTO participants (tenant_id, room_id, participant_id, role, seq)
            VALUES (p->>'tenantId', p->>'roomId', change->>'participant', change->>'role', (change->>'version')::bigint)
            ON CONFLICT (tenant_id, room_id, participant_id) DO UPDATE SET role = excluded.role, seq = excluded.seq;
          ELSIF change->>'kind' = 'changeRole' THEN
            UPDATE participants SET role = change->>'role'
             WHERE tenant_id = p->>'tenantId' AND room_id = p->>'roomId' AND participant_id = change->>'participant';
          ELSIF change->>'kind' = 'remove' THEN
            DELETE FROM participants
             WHERE tenant_id = p->>'tenantId' AND room_id = p->>'roomId' AND participant_id = change->>'participant';
          ELSE
            DELETE FROM participants WHERE tenant_id = p->>'tenantId' AND room_id = p->>'roomId';
          END IF;
        END LOOP;

        FOR change IN SELECT * FROM jsonb_array_elements(p->'requests') LOOP
          INSERT INTO requests (tenant_id, request_id, room_id, from_version, to_version, at)
          VALUES (p->>'tenantId', change->>'requestId', p->>'roomId', (change->>'version')::integer, (change->>'version')::integer, change->>'at')
          ON CONFLICT (tenant_id, request_id) DO UPDATE SET to_version = excluded.to_version
          WHERE requests.room_id = excluded.room_id AND requests.to_version = excluded.from_version - 1;
        END LOOP;

        INSERT INTO streams (tenant_id, room_id, version, last_hash, status, state, created_position,
                             created_at, valid_from, valid_until, pstn_dial_out_enabled)
        VALUES (p->>'tenantId', p->>'roomId', (p->>'version')::integer, p->>'lastHash', p->>'status', p->'state',
                CASE WHEN p->'createdIndex' = 'null'::jsonb THEN prior_created ELSE base + (p->>'createdIndex')::integer + 1 END,
                p->>'createdAt', p->>'validFrom', p->>'validUntil', (p->>'pstn')::boolean)
        ON CONFLICT (tenant_id, room_id) DO UPDATE SET
          version = excluded.version, last_hash = excluded.last_hash, status = excluded.status, state = excluded.state,
          created_position = excluded.created_position, created_at = excluded.created_at, valid_from = excluded.valid_from,
          valid_until = excluded.valid_until, pstn_dial_out_enabled = excluded.pstn_dial_out_enabled;
      END
      $fn$;
    `,
  },
  {
    version: 3,
    name: 'identities and calls: rooms by participant, calls to expire, signing keys, leases',
    sql: `
      CREATE INDEX participants_by_participant ON participants (tenant_id, participant_id);

      -- The calls the scheduler ends at validUntil: rooms with the endCall policy and a call on.
      CREATE INDEX streams_calls_to_expire ON streams (valid_until, tenant_id, room_id)
        WHERE status = 'active' AND state->'room'->>'expiryPolicy' = 'endCall' AND jsonb_typeof(state->'room'->'call') = 'object';

      -- Token signing keys: kept beside the log, never in it.
      CREATE TABLE signing_keys (
        kid         text        PRIMARY KEY,
        created_at  text        NOT NULL,
        private_jwk text        NOT NULL,
        public_jwk  text        NOT NULL
      );

      CREATE TABLE leases (
        name   text PRIMARY KEY,
        holder text NOT NULL,
        until  text NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'group commit: several appends in one transaction, each in a subtransaction of its own',
    sql: `
      -- ps: a JSON array of usher_append arguments. Each runs in a subtransaction (the EXCEPTION block):
      -- one that fails rolls back alone and answers { status: 'error' }; the rest commit together.
      CREATE FUNCTION usher_append_batch(ps jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
      DECLARE
        p        jsonb;
        outcome  jsonb;
        outcomes jsonb := '[]'::jsonb;
      BEGIN
        FOR p IN SELECT * FROM jsonb_array_elements(ps) LOOP
          BEGIN
            outcome := usher_append(p);
          EXCEPTION WHEN OTHERS THEN
            outcome := jsonb_build_object('status', 'error', 'message', SQLERRM);
          END;
          outcomes := outcomes || jsonb_build_array(outcome);
        END LOOP;
        RETURN outcomes;
      END
      $fn$;
    `,
  },
  {
    version: 5,
    name: 'event subscriptions and their dead letters',
    sql: `
      -- A tenant's webhooks: kept beside the log, never in it (they hold secrets). Names and event ids in
      -- byte order ("C"), whatever the database's collation: the memory and SQLite stores list in the same order.
      CREATE TABLE event_subscriptions (
        tenant_id             text    NOT NULL,
        name                  text    COLLATE "C" NOT NULL,
        endpoint_url          text    NOT NULL,
        included_event_types  jsonb,  -- an array of event types; NULL for every type
        event_delivery_schema text    NOT NULL CHECK (event_delivery_schema IN ('EventGridSchema', 'CloudEventSchemaV1_0')),
        secret                text,
        created_at            text    NOT NULL,
        start_after           bigint  NOT NULL,
        PRIMARY KEY (tenant_id, name)
      );

      -- The events a subscription gave up delivering. The event is json, not jsonb: it is redelivered as it
      -- was first sent, its keys in their order.
      CREATE TABLE dead_letters (
        tenant_id        text    NOT NULL,
        subscription     text    COLLATE "C" NOT NULL,
        event_id         text    COLLATE "C" NOT NULL,
        position         bigint  NOT NULL,
        event_type       text    NOT NULL,
        event            json    NOT NULL,
        attempts         integer NOT NULL,
        last_error       text    NOT NULL,
        dead_lettered_at text    NOT NULL,
        queued           boolean NOT NULL,
        PRIMARY KEY (tenant_id, subscription, event_id)
      );

      -- A subscription's letters in listing order.
      CREATE UNIQUE INDEX dead_letters_by_position ON dead_letters (tenant_id, subscription, position, event_id);
      -- The letters waiting for redelivery, every tenant's, in the order they are redelivered.
      CREATE INDEX dead_letters_queued ON dead_letters (position, event_id, tenant_id COLLATE "C", subscription) WHERE queued;
    `,
  },
  {
    version: 6,
    name: 'the duplicate check of an append by index, whatever the size of the log',
    sql: `
      -- As in version 1, but for the duplicate check.
      CREATE OR REPLACE FUNCTION usher_append(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
      DECLARE
        head        record;
        actual_version integer;
        base        bigint;
        event       jsonb;
        change      jsonb;
        positions   bigint[] := '{}';
        i           integer := 0;
        expected    jsonb := p->'expected';
        candidate   text;
      BEGIN
        PERFORM pg_advisory_xact_lock(7231514);

        -- One id at a time, each through the unique index. Asked for the whole set at once, the planner, which
        -- plans a function's query once per session, chose a scan of the events table while it was small,
        -- and kept it: a scan of the whole log per append, slower as the log grew.
        FOR candidate IN SELECT jsonb_array_elements_text(p->'eventIds') LOOP
          IF EXISTS (SELECT 1 FROM events WHERE event_id = candidate) THEN
            RETURN jsonb_build_object('status', 'duplicate');
          END IF;
        END LOOP;

        SELECT version, last_hash, state, created_position INTO head
          FROM streams WHERE tenant_id = p->>'tenantId' AND room_id = p->>'roomId';
        actual_version := coalesce(head.version, 0);

        IF NOT (
          expected = '"any"'::jsonb
          OR (expected = '"noStream"'::jsonb AND actual_version = 0)
          OR (expected = '"exists"'::jsonb AND actual_version > 0)
          OR (jsonb_typeof(expected) = 'number' AND (expected)::integer = actual_version)
        ) THEN
          RETURN jsonb_build_object('status', 'conflict', 'actual', actual_version);
        END IF;

        IF actual_version <> (p->>'assumedVersion')::integer OR coalesce(head.last_hash, repeat('0', 64)) <> p->>'assumedHash' THEN
          RETURN jsonb_build_object('status', 'stale', 'version', actual_version, 'lastHash', head.last_hash,
                                    'state', head.state, 'createdPosition', head.created_position);
        END IF;

        IF jsonb_array_length(p->'events') = 0 THEN
          RETURN jsonb_build_object('status', 'ok', 'positions', '[]'::jsonb);
        END IF;

        SELECT coalesce(max(position), 0) INTO base FROM events;
        FOR event IN SELECT * FROM jsonb_array_elements(p->'events') LOOP
          i := i + 1;
          positions := positions || (base + i);
          INSERT INTO events (position, tenant_id, room_id, version, event_id, type, schema_version, data, meta, prev_hash, hash)
          VALUES (base + i, p->>'tenantId', p->>'roomId', (event->>'version')::integer, event->>'eventId', event->>'type',
                  (event->>'schemaVersion')::integer, event->'data', event->'meta', event->>'prevHash', event->>'hash');
        END LOOP;

        PERFORM usher_project(p, base, head.created_position);

        RETURN jsonb_build_object('status', 'ok', 'positions', to_jsonb(positions));
      END
      $fn$;
    `,
  },
];

export const SCHEMA_VERSION = latestVersion(MIGRATIONS);

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Applies pending migrations in one transaction, under a lock, so that nodes starting together do not race. */
export async function migrate(pool: Pool, schema: string): Promise<MigrationReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(7231515)');
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { applied, version: SCHEMA_VERSION };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The schema version of `schema`, 0 when it has never been migrated. */
export async function schemaVersionOf(pool: Pool, schema: string): Promise<number> {
  const ledger = await pool.query<{ exists: boolean }>("SELECT to_regclass(format('%I.schema_migrations', $1::text)) IS NOT NULL AS exists", [
    schema,
  ]);
  if (ledger.rows[0]?.exists !== true) return 0;
  const row = await pool.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoteIdentifier(schema)}.schema_migrations`);
  return row.rows[0]?.version ?? 0;
}
