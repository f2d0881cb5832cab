import { type ChainedEvent, evolve, rosterChange, type StreamHead, type StreamKey } from '@usher/core';

/**
 * What usher_project writes for a run of consecutive events of one stream, computed here from the
 * head the run starts on: roster changes and request ids by event index, and the folded state.
 */
export function projectionPayload(stream: StreamKey, head: StreamHead, events: readonly ChainedEvent[]) {
  let state = head.state;
  let createdIndex: number | null = null;
  const roster: { kind: string; participant?: string; role?: string; index: number }[] = [];
  const requests: { requestId: string; version: number; at: string }[] = [];
  events.forEach((event, index) => {
    state = evolve(state, event);
    if (head.createdPosition === null && createdIndex === null && state.status === 'active') createdIndex = index;
    const change = rosterChange(event);
    if (change !== null) roster.push({ ...change, index });
    if (event.meta.requestId !== undefined) requests.push({ requestId: event.meta.requestId, version: event.version, at: event.meta.at });
  });
  const last = events[events.length - 1];
  const room = state.status === 'absent' ? null : state.room;
  return {
    payload: {
      tenantId: stream.tenantId,
      roomId: stream.roomId,
      version: last?.version ?? head.version,
      lastHash: last?.hash ?? head.lastHash,
      state,
      status: state.status,
      createdAt: room?.createdAt ?? null,
      validFrom: room?.validFrom ?? null,
      validUntil: room?.validUntil ?? null,
      pstn: room?.pstnDialOutEnabled ?? null,
      createdIndex,
      roster,
      requests,
    },
    state,
    createdIndex,
  };
}
