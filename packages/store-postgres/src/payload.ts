import type { LogStreamKey } from '@usher/core';
import { type BatchProjection, stateWithoutRoster, summaryColumns } from '@usher/core/store-kit';

/**
 * The store kit's projection of a run of one stream's events, in the JSON that usher_project reads
 * (see migrations.ts): roster changes and the created event by index in the run, since the positions
 * are given in the database.
 */
export function projectionPayload(stream: LogStreamKey, batch: BatchProjection) {
  const summary = summaryColumns(batch.state);
  return {
    tenantId: stream.tenantId,
    roomId: stream.roomId,
    version: batch.version,
    lastHash: batch.lastHash,
    // An active room's roster is in the participants table: the stored state leaves it out.
    state: stateWithoutRoster(batch.state),
    status: summary.status,
    createdAt: summary.createdAt,
    validFrom: summary.validFrom,
    validUntil: summary.validUntil,
    pstn: summary.pstnDialOutEnabled,
    createdIndex: batch.createdIndex,
    roster: batch.roster,
    requests: batch.requests,
  };
}
