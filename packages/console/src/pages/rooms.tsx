import type { FC } from 'hono/jsx';
import type { RoomRow } from '../room-rows.js';
import { Layout } from './layout.js';
import { roomHref } from './live-section.js';
import { WindowBar } from './window-bar.js';

export interface RoomsPageProps {
  readonly tenant: string;
  readonly rows: readonly RoomRow[];
  readonly now: Date;
  /** What was searched for, if anything. */
  readonly query: string;
  /** Says what the list is: a page of the tenant's rooms, or what a search found. */
  readonly summary: string;
  /** Why there is nothing to show, or why the search was refused. */
  readonly message: string | null;
  readonly nextPage: string | null;
  readonly firstPage: string | null;
}

const RoomsTable: FC<{ readonly tenant: string; readonly rows: readonly RoomRow[]; readonly now: Date; readonly summary: string }> = ({
  tenant,
  rows,
  now,
  summary,
}) => (
  <div class="table-wrap">
    <table id="rooms" aria-describedby="rooms-count">
      <caption>Rooms</caption>
      <thead>
        <tr>
          <th scope="col">Room</th>
          <th scope="col">Window</th>
          <th scope="col">Roster</th>
          <th scope="col">Call</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            <td>
              <a href={roomHref(tenant, row.roomId, {})}>
                <code>{row.roomId}</code>
              </a>
            </td>
            <td>
              <WindowBar validFrom={row.validFrom} validUntil={row.validUntil} deleted={row.deleted} now={now} />
            </td>
            <td>{row.rosterSize}</td>
            <td>{row.callActive ? `active (${row.callSize})` : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <p id="rooms-count" class="count">
      {summary}
    </p>
  </div>
);

export const RoomsPage: FC<RoomsPageProps> = ({ tenant, rows, now, query, summary, message, nextPage, firstPage }) => (
  <Layout title="Rooms" tenant={tenant}>
    <h1>Rooms</h1>
    <div class="filters">
      <search>
        <form method="get" action="/" class="search">
          <input type="hidden" name="tenant" value={tenant} />
          <label for="q">Room id or participant id</label>
          <input id="q" name="q" type="search" value={query} placeholder="8:acs:… or 99123456789012345" />
          <button type="submit">Find</button>
          {query === '' ? null : <a href={`/?tenant=${encodeURIComponent(tenant)}`}>All rooms</a>}
        </form>
      </search>
      <form method="get" action="/" class="tenant-form">
        <label for="tenant">Tenant</label>
        <input id="tenant" name="tenant" type="text" value={tenant} />
        <button type="submit">Switch</button>
      </form>
    </div>
    {message === null ? null : <p role="status">{message}</p>}
    {rows.length === 0 ? null : <RoomsTable tenant={tenant} rows={rows} now={now} summary={summary} />}
    {nextPage === null && firstPage === null ? null : (
      <nav class="pager" aria-label="Room pages">
        {firstPage === null ? null : <a href={firstPage}>Newest rooms</a>}
        {nextPage === null ? null : <a href={nextPage}>Older rooms</a>}
      </nav>
    )}
  </Layout>
);
