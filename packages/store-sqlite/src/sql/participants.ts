import { type ParticipantRow, query } from '@usher/core/store-kit';

export const SELECT_ROSTER_PAGE = query<[string, string, number, number], ParticipantRow>(`
  SELECT participant_id, role, seq
  FROM participants
  WHERE stream_key = (SELECT stream_key FROM streams WHERE tenant_id = ? AND room_id = ?) AND seq > ?
  ORDER BY seq
  LIMIT ?`);

/** A room's whole roster, in the order first added: the roster of its stored state (which leaves it out). */
export const SELECT_ROSTER = query<[number], { participant_id: string; role: string }>(`
  SELECT participant_id, role
  FROM participants
  WHERE stream_key = ?
  ORDER BY seq`);

/** Over participants_by_participant; the rooms of another tenant with the same participant id are left out. */
export const SELECT_ROOMS_OF_PARTICIPANT = query<[string, string], { room_id: string }>(`
  SELECT streams.room_id
  FROM participants JOIN streams ON streams.stream_key = participants.stream_key
  WHERE participants.participant_id = ? AND streams.tenant_id = ?
  ORDER BY streams.room_id`);
