import type { FC } from 'hono/jsx';
import { type RoomView, TIMELINE_PAGE, timelinePageOf } from '../room-view.js';
import { Layout } from './layout.js';
import { LiveSection, roomHref } from './live-section.js';
import { WindowBar } from './window-bar.js';

/** The slider has this many steps over the room's life: its ends are exactly the first event and the life's end, and arrow keys move a thousandth. */
const SLIDER_STEPS = 1000;

const TimeControl: FC<{ readonly view: RoomView; readonly tenant: string }> = ({ view, tenant }) => {
  const fromMs = Date.parse(view.life.from);
  const toMs = Math.max(fromMs, Date.parse(view.life.to));
  const instant = view.at === null ? toMs : Math.min(toMs, Math.max(fromMs, Date.parse(view.at)));
  const position = toMs === fromMs ? SLIDER_STEPS : Math.round(((instant - fromMs) / (toMs - fromMs)) * SLIDER_STEPS);
  return (
    <form id="time-control" class="time-control" method="get" action={`/rooms/${encodeURIComponent(view.stream.roomId)}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <div class="field slider">
        <label for="time-slider">
          Room’s life, {view.life.from} to {view.life.to}
        </label>
        <input
          id="time-slider"
          type="range"
          min="0"
          max={String(SLIDER_STEPS)}
          step="1"
          value={String(position)}
          data-from={String(fromMs)}
          data-to={String(toMs)}
          aria-valuetext={new Date(instant).toISOString()}
        />
      </div>
      <div class="field">
        <label for="at-field">Instant (ISO-8601, UTC)</label>
        <input id="at-field" name="at" type="text" inputmode="text" value={view.at ?? ''} placeholder={new Date(instant).toISOString()} />
      </div>
      <div class="actions">
        <button type="submit">Show the room at this instant</button>
        <a href={roomHref(tenant, view.stream.roomId, {})}>Now</a>
      </div>
    </form>
  );
};

const Timeline: FC<{ readonly view: RoomView; readonly tenant: string }> = ({ view, tenant }) => {
  const { entries, from, head } = view.timeline;
  const at: Record<string, string> = view.at === null ? {} : { at: view.at };
  const pageLink = (start: number) => roomHref(tenant, view.stream.roomId, { ...at, from: String(start) });
  const lastPage = timelinePageOf(head);
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Audit timeline</h2>
      {view.at === null ? null : (
        <p class="legend">
          <span class="replayed-swatch" aria-hidden="true" /> Events up to the instant (versions 1–{view.version}) are highlighted; later ones are not
          part of the state shown.
        </p>
      )}
      <div class="table-wrap">
        <table id="timeline" aria-describedby="timeline-count">
          <caption>Timeline</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Request id</th>
              <th scope="col">What happened</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => {
              const replayed = view.at !== null && entry.version <= view.version;
              return (
                <tr class={replayed ? 'replayed' : undefined} data-version={String(entry.version)} data-replayed={replayed ? 'true' : undefined}>
                  <td>{entry.version}</td>
                  <td>
                    <time datetime={entry.at}>{entry.at}</time>
                  </td>
                  <td>
                    <code>{entry.actor}</code>
                  </td>
                  <td>{entry.requestId === null ? '—' : <code>{entry.requestId}</code>}</td>
                  <td>{entry.description}</td>
                  <td>
                    <code class="hash" title={entry.hash}>
                      {entry.hash.slice(0, 12)}…
                    </code>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p id="timeline-count" class="count">
          Versions {entries.length === 0 ? 0 : from}–{entries.length === 0 ? 0 : from + entries.length - 1} of {head}.
        </p>
      </div>
      {head > TIMELINE_PAGE ? (
        <nav class="pager" aria-label="Timeline pages">
          {from > 1 ? <a href={pageLink(1)}>First</a> : null}
          {from > 1 ? <a href={pageLink(Math.max(1, from - TIMELINE_PAGE))}>Earlier</a> : null}
          {from + TIMELINE_PAGE <= head ? <a href={pageLink(from + TIMELINE_PAGE)}>Later</a> : null}
          {from < lastPage ? <a href={pageLink(lastPage)}>Last</a> : null}
        </nav>
      ) : null}
    </section>
  );
};

const Chain: FC<{ readonly view: RoomView }> = ({ view }) =>
  view.chain.verified ? (
    <p id="chain" class="chain chain-verified">
      <strong>Chain verified</strong>: {view.chain.version} events link up; head hash <code class="hash">{view.chain.hash}</code>
    </p>
  ) : (
    <p id="chain" class="chain chain-broken" role="alert">
      <strong>Chain broken at version {view.chain.version}</strong>: {view.chain.message}
    </p>
  );

export const RoomPage: FC<{ readonly view: RoomView; readonly tenant: string; readonly rosterFrom: number; readonly now: Date }> = ({
  view,
  tenant,
  rosterFrom,
  now,
}) => {
  const room = view.state.status === 'absent' ? null : view.state.room;
  return (
    <Layout title={`Room ${view.stream.roomId}`} tenant={tenant}>
      <h1>
        Room <code>{view.stream.roomId}</code>
      </h1>
      <dl class="facts">
        <dt>Window</dt>
        <dd>
          {room === null ? (
            'the room did not exist yet at this instant'
          ) : (
            <>
              <WindowBar
                validFrom={room.validFrom}
                validUntil={room.validUntil}
                deleted={view.state.status === 'deleted'}
                now={view.at === null ? now : new Date(view.at)}
              />{' '}
              {room.validFrom} to {room.validUntil}
            </>
          )}
        </dd>
        {room === null ? null : (
          <>
            <dt>Settings</dt>
            <dd>
              PSTN dial-out {room.pstnDialOutEnabled ? 'on' : 'off'}; at the window’s end{' '}
              {room.expiryPolicy === 'endCall' ? 'the call ends' : 'joining stops'}
            </dd>
          </>
        )}
        <dt>History</dt>
        <dd>{view.head} events</dd>
      </dl>
      <Chain view={view} />
      <TimeControl view={view} tenant={tenant} />
      <LiveSection state={view.state} version={view.version} tenant={tenant} roomId={view.stream.roomId} rosterFrom={rosterFrom} at={view.at} />
      <Timeline view={view} tenant={tenant} />
    </Layout>
  );
};
