import type { ParticipantId, RoomState } from '@usher/core';
import type { FC } from 'hono/jsx';
import { ROSTER_PAGE } from '../room-view.js';

export const roomHref = (tenant: string, roomId: string, query: Record<string, string>) =>
  `/rooms/${encodeURIComponent(roomId)}?${new URLSearchParams({ tenant, ...query }).toString()}`;

/** The roster, with roles, a page of ROSTER_PAGE participants at a time (in id order). */
const RosterTable: FC<{
  readonly state: RoomState;
  readonly tenant: string;
  readonly roomId: string;
  readonly rosterFrom: number;
  readonly at: string | null;
}> = ({ state, tenant, roomId, rosterFrom, at }) => {
  const roster =
    state.status === 'absent' ? [] : [...state.room.roster.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  const shown = roster.slice(rosterFrom, rosterFrom + ROSTER_PAGE);
  const query = (from: number) => ({ ...(at === null ? {} : { at }), roster: String(from) });
  return (
    <div class="table-wrap">
      <table id="roster" aria-describedby="roster-count">
        <caption>Roster</caption>
        <thead>
          <tr>
            <th scope="col">Participant</th>
            <th scope="col">Role</th>
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 ? (
            <tr>
              <td colspan={2}>{state.status === 'absent' ? 'The room did not exist yet.' : 'Nobody is invited.'}</td>
            </tr>
          ) : (
            shown.map(([id, role]) => (
              <tr>
                <td>
                  <code>{id}</code>
                </td>
                <td>{role}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <p id="roster-count" class="count">
        {roster.length === 1 ? '1 participant' : `${roster.length} participants`}
      </p>
      {roster.length > ROSTER_PAGE ? (
        <nav class="pager" aria-label="Roster pages">
          {rosterFrom > 0 ? <a href={roomHref(tenant, roomId, query(Math.max(0, rosterFrom - ROSTER_PAGE)))}>Previous participants</a> : null}
          <span>
            {rosterFrom + 1}–{rosterFrom + shown.length} of {roster.length}
          </span>
          {rosterFrom + ROSTER_PAGE < roster.length ? (
            <a href={roomHref(tenant, roomId, query(rosterFrom + ROSTER_PAGE))}>Next participants</a>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
};

/** Who is in the call: role, muted, screen sharing. */
const CallTable: FC<{ readonly state: RoomState }> = ({ state }) => {
  const call = state.status === 'absent' ? null : state.room.call;
  const members = call === null ? [] : (Object.entries(call.participants) as [ParticipantId, { role: string; muted: boolean }][]);
  return (
    <div class="table-wrap">
      <table id="call" aria-describedby="call-count">
        <caption>Call</caption>
        <thead>
          <tr>
            <th scope="col">Participant</th>
            <th scope="col">Role</th>
            <th scope="col">Muted</th>
            <th scope="col">Screen sharing</th>
          </tr>
        </thead>
        <tbody>
          {members.length === 0 ? (
            <tr>
              <td colspan={4}>No call in progress.</td>
            </tr>
          ) : (
            members.map(([id, member]) => (
              <tr>
                <td>
                  <code>{id}</code>
                </td>
                <td>{member.role}</td>
                <td>{member.muted ? 'yes' : 'no'}</td>
                <td>{call?.screenSharer === id ? 'yes' : 'no'}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <p id="call-count" class="count">
        {call === null ? 'No call.' : `${members.length} in the call${call.startedAt === undefined ? '' : `, since ${call.startedAt}`}.`}
      </p>
    </div>
  );
};

export interface LiveSectionProps {
  readonly state: RoomState;
  readonly version: number;
  readonly tenant: string;
  readonly roomId: string;
  readonly rosterFrom: number;
  readonly at: string | null;
}

/**
 * The call and the roster. Shown now, it carries the address of its live stream: the page's script
 * replaces it with each new rendering the server sends when the room's log moves on.
 */
export const LiveSection: FC<LiveSectionProps> = (props) => {
  const live =
    props.at === null
      ? `/rooms/${encodeURIComponent(props.roomId)}/live?${new URLSearchParams({ tenant: props.tenant, since: String(props.version), roster: String(props.rosterFrom) }).toString()}`
      : undefined;
  return (
    <section id="live" aria-labelledby="live-heading" data-live={live} data-version={String(props.version)}>
      <h2 id="live-heading">{props.at === null ? `Now (version ${props.version})` : `As of ${props.at} (version ${props.version})`}</h2>
      <CallTable state={props.state} />
      <RosterTable state={props.state} tenant={props.tenant} roomId={props.roomId} rosterFrom={props.rosterFrom} at={props.at} />
    </section>
  );
};
