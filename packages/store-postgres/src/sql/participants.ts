import { type ParticipantRow, query } from '@usher/core/store-kit';

export const SELECT_ROSTER_PAGE = query<[string, string, number, number], ParticipantRow>(`
  SELECT participant_id, role, seq
  FROM participants
  WHERE tenant_id = $1 AND room_id = $2 AND seq > $3
  ORDER BY seq
  LIMIT $4`);

/** A room's whole roster, in the order first added: the roster of its stored state (which leaves it out). */
export const SELECT_ROSTER = query<[string, string], { participant_id: string; role: string }>(`
  SELECT participant_id, role
  FROM participants
  WHERE tenant_id = $1 AND room_id = $2
  ORDER BY seq`);

/** Over participants_by_participant. */
export const SELECT_ROOMS_OF_PARTICIPANT = query<[string, string], { room_id: string }>(`
  SELECT room_id
  FROM participants
  WHERE tenant_id = $1 AND participant_id = $2`);
