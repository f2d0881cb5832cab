import type { Query } from '@usher/core/store-kit';
import type Database from 'better-sqlite3';
import { INSERT_EVENT, OPEN_STREAM, SELECT_EVENT_BY_ID } from './sql/append.js';
import { SELECT_CHECKPOINT, UPSERT_CHECKPOINT } from './sql/checkpoints.js';
import {
  DELETE_DEAD_LETTER,
  DELETE_DEAD_LETTERS_OF,
  DELETE_EVENT_SUBSCRIPTION,
  QUEUE_REDELIVERY,
  SELECT_ALL_EVENT_SUBSCRIPTIONS,
  SELECT_DEAD_LETTERS_PAGE,
  SELECT_EVENT_SUBSCRIPTION,
  SELECT_EVENT_SUBSCRIPTIONS_PAGE,
  SELECT_QUEUED_DEAD_LETTERS,
  UPSERT_DEAD_LETTER,
  UPSERT_EVENT_SUBSCRIPTION,
} from './sql/event-subscriptions.js';
import { SELECT_CALLS_TO_EXPIRE, SELECT_NEXT_CALL_EXPIRY } from './sql/expiries.js';
import { SELECT_DATA_VERSION, SELECT_HEAD, SELECT_HEAD_VERSION } from './sql/heads.js';
import { ACQUIRE_LEASE, RELEASE_LEASE } from './sql/leases.js';
import { SELECT_ROOMS_OF_PARTICIPANT, SELECT_ROSTER, SELECT_ROSTER_PAGE } from './sql/participants.js';
import {
  CHANGE_PARTICIPANT_ROLE,
  CLEAR_ROSTER,
  DELETE_PARTICIPANT,
  RECORD_REQUEST,
  UPDATE_STREAM_STATE,
  UPSERT_PARTICIPANT,
  UPSERT_STREAM,
} from './sql/project.js';
import { COUNT_EVENTS, SELECT_AFTER_POSITION, SELECT_HEAD_POSITION } from './sql/read-all.js';
import { SELECT_STREAM_RANGE } from './sql/read-stream.js';
import { SELECT_KEYED_AFTER_POSITION } from './sql/rebuild.js';
import { SELECT_REQUEST } from './sql/requests.js';
import { SELECT_ACTIVE_ROOM, SELECT_ACTIVE_ROOMS_PAGE } from './sql/rooms.js';
import { INSERT_SIGNING_KEY, SELECT_SIGNING_KEYS } from './sql/signing-keys.js';

/** The part of a prepared statement the store uses, under a type that declaration files can name. */
export interface Statement<Params extends unknown[], Row> {
  run(...params: Params): Database.RunResult;
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
  iterate(...params: Params): IterableIterator<Row>;
}

function prepare<Params extends unknown[], Row>(db: Database.Database, statement: Query<Params, Row>): Statement<Params, Row> {
  return db.prepare<Params, Row>(statement.text);
}

/** Every statement of the store, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  return {
    openStream: prepare(db, OPEN_STREAM),
    insertEvent: prepare(db, INSERT_EVENT),
    eventById: prepare(db, SELECT_EVENT_BY_ID),
    checkpoint: prepare(db, SELECT_CHECKPOINT),
    setCheckpoint: prepare(db, UPSERT_CHECKPOINT),
    dataVersion: prepare(db, SELECT_DATA_VERSION),
    headVersion: prepare(db, SELECT_HEAD_VERSION),
    head: prepare(db, SELECT_HEAD),
    rosterPage: prepare(db, SELECT_ROSTER_PAGE),
    roster: prepare(db, SELECT_ROSTER),
    upsertStream: prepare(db, UPSERT_STREAM),
    updateStreamState: prepare(db, UPDATE_STREAM_STATE),
    upsertParticipant: prepare(db, UPSERT_PARTICIPANT),
    changeParticipantRole: prepare(db, CHANGE_PARTICIPANT_ROLE),
    deleteParticipant: prepare(db, DELETE_PARTICIPANT),
    clearRoster: prepare(db, CLEAR_ROSTER),
    recordRequest: prepare(db, RECORD_REQUEST),
    eventsAfter: prepare(db, SELECT_AFTER_POSITION),
    keyedEventsAfter: prepare(db, SELECT_KEYED_AFTER_POSITION),
    countEvents: prepare(db, COUNT_EVENTS),
    headPosition: prepare(db, SELECT_HEAD_POSITION),
    streamRange: prepare(db, SELECT_STREAM_RANGE),
    request: prepare(db, SELECT_REQUEST),
    activeRoom: prepare(db, SELECT_ACTIVE_ROOM),
    activeRoomsPage: prepare(db, SELECT_ACTIVE_ROOMS_PAGE),
    roomsOfParticipant: prepare(db, SELECT_ROOMS_OF_PARTICIPANT),
    callsToExpire: prepare(db, SELECT_CALLS_TO_EXPIRE),
    nextCallExpiry: prepare(db, SELECT_NEXT_CALL_EXPIRY),
    signingKeys: prepare(db, SELECT_SIGNING_KEYS),
    addSigningKey: prepare(db, INSERT_SIGNING_KEY),
    acquireLease: prepare(db, ACQUIRE_LEASE),
    releaseLease: prepare(db, RELEASE_LEASE),
    eventSubscription: prepare(db, SELECT_EVENT_SUBSCRIPTION),
    eventSubscriptionsPage: prepare(db, SELECT_EVENT_SUBSCRIPTIONS_PAGE),
    allEventSubscriptions: prepare(db, SELECT_ALL_EVENT_SUBSCRIPTIONS),
    putEventSubscription: prepare(db, UPSERT_EVENT_SUBSCRIPTION),
    removeEventSubscription: prepare(db, DELETE_EVENT_SUBSCRIPTION),
    removeDeadLettersOf: prepare(db, DELETE_DEAD_LETTERS_OF),
    addDeadLetter: prepare(db, UPSERT_DEAD_LETTER),
    deadLettersPage: prepare(db, SELECT_DEAD_LETTERS_PAGE),
    queueRedelivery: prepare(db, QUEUE_REDELIVERY),
    queuedDeadLetters: prepare(db, SELECT_QUEUED_DEAD_LETTERS),
    removeDeadLetter: prepare(db, DELETE_DEAD_LETTER),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
