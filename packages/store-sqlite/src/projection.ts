import type { LogStreamKey } from '@usher/core';
import { type BatchProjection, headAfter, type StreamHead, stateWithoutRoster, summaryColumns } from '@usher/core/store-kit';
import type { Statements } from './statements.js';

/**
 * Writes the projection of a run of one stream's events (the store kit's `projectBatch`), on append and
 * on rebuild alike: roster and request ledger rows per change, the stream row once. Answers the new head.
 */
export function writeProjection(
  statements: Statements,
  stream: LogStreamKey,
  head: StreamHead,
  batch: BatchProjection,
  positionAt: (index: number) => number,
): StreamHead {
  const { tenantId, roomId } = stream;
  for (const change of batch.roster) {
    if (change.kind === 'add') statements.upsertParticipant.run(tenantId, roomId, change.participant, change.role, change.version);
    else if (change.kind === 'changeRole') statements.changeParticipantRole.run(change.role, tenantId, roomId, change.participant);
    else if (change.kind === 'remove') statements.deleteParticipant.run(tenantId, roomId, change.participant);
    else statements.clearRoster.run(tenantId, roomId);
  }
  for (const mark of batch.requests) statements.recordRequest.run(tenantId, mark.requestId, roomId, mark.version, mark.version, mark.at);
  const next = headAfter(head, batch, positionAt);
  const summary = summaryColumns(next.state);
  statements.upsertStream.run({
    tenantId,
    roomId,
    version: next.version,
    lastHash: next.lastHash,
    state: JSON.stringify(stateWithoutRoster(next.state)),
    createdPosition: next.createdPosition,
    ...summary,
    pstnDialOutEnabled: summary.pstnDialOutEnabled === null ? null : Number(summary.pstnDialOutEnabled),
  });
  return next;
}
