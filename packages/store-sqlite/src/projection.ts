import type { LogStreamKey } from '@usher/core';
import {
  type BatchProjection,
  headAfter,
  netRosterChanges,
  requestRanges,
  type SummaryColumns,
  sameApartFromRoster,
  stateWithoutRoster,
  summaryColumns,
} from '@usher/core/store-kit';
import type { KeyedHead } from './head-cache.js';
import type { Statements } from './statements.js';

/** Every summary column as it was: then the stream row's indexed columns need not be written. */
function sameSummary(left: SummaryColumns, right: SummaryColumns): boolean {
  return (Object.keys(left) as (keyof SummaryColumns)[]).every((column) => left[column] === right[column]);
}

/**
 * Writes the projection of a run of one stream's events (the store kit's `projectBatch`), on append and
 * on rebuild alike: roster rows for the run's net changes, a ledger row per request, and the stream row
 * only when something in it changed. The stream's version and hash are its last event's (the log holds
 * them), so a run that changes the roster alone, the commonest write, leaves the row be.
 * `key` is the stream's key in this file. Answers the new head.
 */
export function writeProjection(
  statements: Statements,
  stream: LogStreamKey,
  key: number,
  head: KeyedHead,
  batch: BatchProjection,
  positionAt: (index: number) => number,
): KeyedHead {
  const { tenantId, roomId } = stream;
  for (const change of netRosterChanges(head.state, batch.roster)) {
    if (change.kind === 'add') statements.upsertParticipant.run(key, change.version, change.participant, change.role);
    else if (change.kind === 'changeRole') statements.changeParticipantRole.run(change.role, change.participant, key);
    else if (change.kind === 'remove') statements.deleteParticipant.run(change.participant, key);
    else statements.clearRoster.run(key);
  }
  for (const range of requestRanges(batch.requests))
    statements.recordRequest.run(tenantId, range.requestId, roomId, range.fromVersion, range.toVersion, range.at);
  const next: KeyedHead = { ...headAfter(head, batch, positionAt), key };
  const summary = summaryColumns(next.state);
  if (head.version > 0 && next.createdPosition === head.createdPosition && sameSummary(summary, summaryColumns(head.state))) {
    if (!sameApartFromRoster(head.state, next.state)) statements.updateStreamState.run(JSON.stringify(stateWithoutRoster(next.state)), key);
    return next;
  }
  statements.upsertStream.run({
    streamKey: key,
    tenantId,
    roomId,
    state: JSON.stringify(stateWithoutRoster(next.state)),
    createdPosition: next.createdPosition,
    ...summary,
    pstnDialOutEnabled: summary.pstnDialOutEnabled === null ? null : Number(summary.pstnDialOutEnabled),
  });
  return next;
}
