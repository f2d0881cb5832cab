import { EMPTY_HEAD, evolve, type RoomState, rosterChange, type StoredEvent, type StreamHead, type StreamKey } from '@usher/core';
import type Database from 'better-sqlite3';
import type { StreamHeadRow } from './sql/heads.js';
import { prepareProject } from './sql/project.js';

export function headFromRow(row: StreamHeadRow | undefined): StreamHead {
  if (row === undefined) return EMPTY_HEAD;
  return { version: row.version, lastHash: row.last_hash, state: JSON.parse(row.state) as RoomState, createdPosition: row.created_position };
}

/**
 * The projector shared by append and rebuild, so that a rebuild can only ever give what the live
 * appends gave: the roster and request ledger rows change per event, the stream row once per batch.
 */
export function createProjector(db: Database.Database) {
  const sql = prepareProject(db);

  function apply(head: StreamHead, event: StoredEvent): StreamHead {
    const { tenantId, roomId } = event;
    const state = evolve(head.state, event);
    const change = rosterChange(event);
    if (change?.kind === 'add') sql.upsertParticipant.run(tenantId, roomId, change.participant, change.role, event.position);
    else if (change?.kind === 'changeRole') sql.changeParticipantRole.run(change.role, tenantId, roomId, change.participant);
    else if (change?.kind === 'remove') sql.deleteParticipant.run(tenantId, roomId, change.participant);
    else if (change?.kind === 'clear') sql.clearRoster.run(tenantId, roomId);
    const requestId = event.meta.requestId;
    if (requestId !== undefined) sql.recordRequest.run(tenantId, requestId, roomId, event.version, event.version, event.meta.at);
    const becameActive = head.createdPosition === null && state.status === 'active';
    return { version: event.version, lastHash: event.hash, state, createdPosition: becameActive ? event.position : head.createdPosition };
  }

  function write(stream: StreamKey, head: StreamHead): void {
    const room = head.state.status === 'absent' ? null : head.state.room;
    sql.upsertStream.run({
      tenantId: stream.tenantId,
      roomId: stream.roomId,
      version: head.version,
      lastHash: head.lastHash,
      status: head.state.status,
      state: JSON.stringify(head.state),
      createdPosition: head.createdPosition,
      createdAt: room?.createdAt ?? null,
      validFrom: room?.validFrom ?? null,
      validUntil: room?.validUntil ?? null,
      pstnDialOutEnabled: room === null ? null : Number(room.pstnDialOutEnabled),
    });
  }

  return { apply, write };
}
