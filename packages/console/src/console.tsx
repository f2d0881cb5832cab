import {
  type Aborted,
  type Clock,
  type EventStore,
  parseRoomId,
  parseTenantId,
  parseTimestamp,
  type StoreError,
  type StreamKey,
  type TenantId,
  verify,
} from '@usher/core';
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { streamSSE } from 'hono/streaming';
import { errAsync, okAsync } from 'neverthrow';
import { accessGate, type ConsoleAccess } from './access.js';
import { serveAsset } from './assets.js';
import type { LiveFeed } from './live-feed.js';
import { MessagePage } from './pages/layout.js';
import { LiveSection } from './pages/live-section.js';
import { type LogOutcome, LogPage } from './pages/log.js';
import { RoomPage } from './pages/room.js';
import { RoomsPage } from './pages/rooms.js';
import { listRoomRows, searchRooms } from './room-rows.js';
import { loadRoomView } from './room-view.js';

export interface ConsoleOptions {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly access: ConsoleAccess;
  /** Tells the room pages of new events (`startLiveFeed`); the console closes it with itself. */
  readonly feed: LiveFeed;
  /** The tenant shown when `?tenant=` is not given (default `default`, as `usher serve` names its key's tenant). */
  readonly defaultTenant?: string;
  /** Rooms per page (default 25). */
  readonly pageSize?: number;
}

const ROOMS_PAGE = 25;
/** An idle live stream sends a comment this often, so that proxies and browsers keep it open. */
const KEEPALIVE_MS = 15_000;

/** What the store said when it failed, for an operator: the console is read-only, so nothing is lost by showing it. */
const storeTrouble = (message: string) => `The store did not answer: ${message}`;

const isStoreError = (error: { readonly type: string }): error is StoreError => error.type === 'StoreFailure' || error.type === 'EventIdConflict';

/** Every answer: nothing from elsewhere may load (the console works offline), and no page of it may be framed or leak its address. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The console: a read-only web application over a store. Pages are rendered on the server (Hono's
 * JSX); a small script of its own adds the time slider, live call updates and the verify progress bar.
 */
export function createConsole(options: ConsoleOptions) {
  const { store, clock, feed } = options;
  const defaultTenant = options.defaultTenant ?? 'default';
  const pageSize = options.pageSize ?? ROOMS_PAGE;
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
  app.use(accessGate(options.access));

  /** A whole page: the doctype, then the rendered element. */
  const render = (c: Context, element: ReturnType<typeof MessagePage>) => c.html(html`<!doctype html>${element}`);

  const message = (c: Context, status: 400 | 404 | 500 | 503, title: string, tenant: string, text: string, back?: string) => {
    c.status(status);
    return render(c, <MessagePage title={title} tenant={tenant} message={text} back={back} />);
  };

  /** The tenant asked for, or a page saying what is wrong with it. */
  const tenantOf = (c: Context): { tenantId: TenantId } | { refused: Response | Promise<Response> } => {
    const asked = c.req.query('tenant') ?? defaultTenant;
    const parsed = parseTenantId(asked);
    if (parsed.isErr())
      return { refused: message(c, 400, 'Unknown tenant', defaultTenant, `“${asked}” is not a tenant id. ${parsed.error.message}`) };
    return { tenantId: parsed.value };
  };

  /** The tenant and the room the address names, or a page saying what is wrong with either. */
  const roomOf = (c: Context): { stream: StreamKey } | { refused: Response | Promise<Response> } => {
    const tenant = tenantOf(c);
    if ('refused' in tenant) return tenant;
    const { tenantId } = tenant;
    const asked = c.req.param('roomId') ?? '';
    const parsed = parseRoomId(asked);
    if (parsed.isErr()) return { refused: message(c, 400, 'Not a room id', tenantId, `“${asked}” is not a room id: ${parsed.error.message}`) };
    return { stream: { tenantId, roomId: parsed.value } };
  };

  const wholeNumber = (value: string | undefined): number | null => (value !== undefined && /^[0-9]{1,9}$/.test(value) ? Number(value) : null);

  app.get('/assets/:name', (c) => serveAsset(c.req.param('name')));

  app.get('/', async (c) => {
    const tenant = tenantOf(c);
    if ('refused' in tenant) return tenant.refused;
    const { tenantId } = tenant;
    const now = clock.now();
    const query = (c.req.query('q') ?? '').trim();
    const base = { tenant: tenantId, now, query, nextPage: null, firstPage: null };
    if (query !== '') {
      const found = await searchRooms(store, tenantId, query);
      if (found.isErr()) {
        if (found.error.type === 'SearchRefused') {
          c.status(400);
          return render(c, <RoomsPage {...base} rows={[]} summary="" message={found.error.message} />);
        }
        return message(c, 503, 'Store unavailable', tenantId, storeTrouble(found.error.message));
      }
      const { rows, matched } = found.value;
      const rooms = (count: number) => (count === 1 ? '1 room' : `${count} rooms`);
      const summary =
        matched > rows.length ? `The newest ${rows.length} of ${rooms(matched)} matching “${query}”.` : `${rooms(rows.length)} matching “${query}”.`;
      const empty = `No room of tenant ${tenantId} has the id or a participant “${query}”.`;
      return render(c, <RoomsPage {...base} rows={rows} summary={summary} message={rows.length === 0 ? empty : null} />);
    }
    const pageToken = c.req.query('page');
    const page = await listRoomRows(store, tenantId, { pageToken, pageSize });
    if (page.isErr()) {
      if (isStoreError(page.error)) return message(c, 503, 'Store unavailable', tenantId, storeTrouble(page.error.message));
      return message(c, 400, 'Not a page of rooms', tenantId, `This address does not name a page of rooms: ${page.error.message}`);
    }
    const link = (token: string | null) => (token === null ? null : `/?${new URLSearchParams({ tenant: tenantId, page: token }).toString()}`);
    const { items, nextPageToken } = page.value;
    const empty =
      pageToken === undefined
        ? `Tenant ${tenantId} has no rooms. Tenants are named by the access keys Usher serves; the key that \`usher serve\` makes belongs to tenant “default”.`
        : 'No older rooms.';
    return render(
      c,
      <RoomsPage
        {...base}
        rows={items}
        summary={pageToken === undefined ? `The ${items.length} newest rooms.` : `${items.length} older rooms.`}
        message={items.length === 0 ? empty : null}
        nextPage={link(nextPageToken)}
        firstPage={pageToken === undefined ? null : `/?${new URLSearchParams({ tenant: tenantId }).toString()}`}
      />,
    );
  });

  app.get('/rooms/:roomId', async (c) => {
    const room = roomOf(c);
    if ('refused' in room) return room.refused;
    const { stream } = room;
    const back = `/rooms/${stream.roomId}?${new URLSearchParams({ tenant: stream.tenantId }).toString()}`;
    const askedAt = c.req.query('at');
    let at: Date | null = null;
    if (askedAt !== undefined && askedAt.trim() !== '') {
      const parsed = parseTimestamp(askedAt.trim(), 'at');
      if (parsed.isErr())
        return message(c, 400, 'Not an instant', stream.tenantId, `${parsed.error.message} For example 2026-11-25T14:03:00Z.`, back);
      at = parsed.value;
    }
    const now = clock.now();
    const view = await loadRoomView(store, stream, { at, from: wholeNumber(c.req.query('from')), now, signal: c.req.raw.signal });
    if (view.isErr()) {
      if (view.error.type === 'RoomNotFound')
        return message(
          c,
          404,
          'Unknown room',
          stream.tenantId,
          `Tenant ${stream.tenantId} has no room ${stream.roomId}: it never existed, or it belongs to another tenant.`,
        );
      return message(c, 503, 'Store unavailable', stream.tenantId, storeTrouble(view.error.message));
    }
    return render(c, <RoomPage view={view.value} tenant={stream.tenantId} rosterFrom={wholeNumber(c.req.query('roster')) ?? 0} now={now} />);
  });

  // The live call: the roster and call, rendered again each time the room's log moves on past what the page shows.
  app.get('/rooms/:roomId/live', async (c) => {
    const room = roomOf(c);
    if ('refused' in room) return room.refused;
    const { stream } = room;
    const rosterFrom = wholeNumber(c.req.query('roster')) ?? 0;
    // A browser that reconnects says the last version it was sent; the page says the version it was rendered at.
    let shown = Math.max(wholeNumber(c.req.query('since')) ?? 0, wholeNumber(c.req.header('last-event-id')) ?? 0);
    const exists = await store.readStream(stream, { fromVersion: 1, toVersion: 1 });
    if (exists.isErr()) return message(c, 503, 'Store unavailable', stream.tenantId, storeTrouble(exists.error.message));
    if (exists.value.length === 0) return message(c, 404, 'Unknown room', stream.tenantId, `Tenant ${stream.tenantId} has no room ${stream.roomId}.`);
    return streamSSE(c, async (sse) => {
      let closed = false;
      let changed = true;
      let wake: (() => void) | null = null;
      const unwatch = feed.watch(stream.tenantId, stream.roomId, () => {
        changed = true;
        wake?.();
      });
      sse.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        while (!closed) {
          if (changed) {
            changed = false;
            const loaded = await store.loadRoom(stream);
            if (loaded.isErr()) {
              await sse.writeSSE({ event: 'trouble', data: storeTrouble(loaded.error.message) });
            } else if (loaded.value !== null && loaded.value.version > shown) {
              shown = loaded.value.version;
              const html = await (
                <LiveSection
                  state={loaded.value.state}
                  version={shown}
                  tenant={stream.tenantId}
                  roomId={stream.roomId}
                  rosterFrom={rosterFrom}
                  at={null}
                />
              ).toString();
              await sse.writeSSE({ event: 'live', id: String(shown), data: html });
            }
          }
          if (closed || changed) continue;
          const woken = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          wake = null;
          if (!woken && !closed) await sse.write(': keepalive\n\n');
        }
      } finally {
        unwatch();
      }
    });
  });

  const verifyLog = (signal: AbortSignal, onProgress?: (phase: 'chain' | 'projections', processed: number, total: number) => void) => {
    const started = performance.now();
    return store.headPosition().andThen((head) =>
      verify(store, {
        signal,
        onProgress: (step) => onProgress?.(step.phase, step.processed, step.phase === 'chain' ? head : (step.total ?? step.processed)),
      })
        .map(
          (report): LogOutcome => ({
            verified: true,
            events: report.events,
            rooms: report.rooms,
            identities: report.streams - report.rooms,
            seconds: (performance.now() - started) / 1000,
          }),
        )
        .orElse((failure) =>
          isStoreError(failure) || failure.type === 'Aborted'
            ? errAsync<LogOutcome, StoreError | Aborted>(failure)
            : okAsync<LogOutcome, StoreError | Aborted>({ verified: false, message: failure.message }),
        ),
    );
  };

  app.get('/log', async (c) => {
    const tenant = tenantOf(c);
    if ('refused' in tenant) return tenant.refused;
    const head = await store.headPosition();
    if (head.isErr()) return message(c, 503, 'Store unavailable', tenant.tenantId, storeTrouble(head.error.message));
    // Without the script, the form asks for the page again with ?verify=1: the answer comes when the verification is done.
    if (c.req.query('verify') !== '1') return render(c, <LogPage tenant={tenant.tenantId} head={head.value} outcome={null} />);
    const outcome = await verifyLog(c.req.raw.signal);
    if (outcome.isErr()) return message(c, 503, 'Store unavailable', tenant.tenantId, storeTrouble(outcome.error.message));
    return render(c, <LogPage tenant={tenant.tenantId} head={head.value} outcome={outcome.value} />);
  });

  // The same verification, told as it goes: progress events, then `done` with the outcome.
  app.get('/log/verify', (c) =>
    streamSSE(c, async (sse) => {
      const aborted = new AbortController();
      sse.onAbort(() => aborted.abort());
      let lastSent = 0;
      const outcome = await verifyLog(aborted.signal, (phase, processed, total) => {
        const now = performance.now();
        if (now - lastSent < 50 && processed < total) return;
        lastSent = now;
        void sse.writeSSE({ event: 'progress', data: JSON.stringify({ phase, processed, total }) });
      });
      if (outcome.isErr()) await sse.writeSSE({ event: 'trouble', data: JSON.stringify({ message: storeTrouble(outcome.error.message) }) });
      else await sse.writeSSE({ event: 'done', data: JSON.stringify(outcome.value) });
    }),
  );

  app.notFound((c) => message(c, 404, 'Not found', defaultTenant, `The console has no page at ${new URL(c.req.url).pathname}.`));
  app.onError((error, c) => {
    console.error('console:', error);
    return message(c, 500, 'Something went wrong', defaultTenant, 'The console failed to answer this request; its log says why.');
  });

  return {
    fetch: (request: Request) => app.fetch(request),
    close: () => feed.stop(),
  };
}

export type UsherConsole = ReturnType<typeof createConsole>;
