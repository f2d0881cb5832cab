import { type ConsoleAccess, createConsole, type LiveFeed, startLiveFeed, type UsherConsole } from '@usher/console';
import { createRoomService, type EventStore, type RoomService, type StreamKey } from '@usher/core';
import { createMemoryStore } from '@usher/store-memory';
import { createPostgresStore } from '@usher/store-postgres';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { at, HOUR, MINUTE, manualClock, participant, sequentialIds, T0, tenant } from '../support/fixtures.js';
import { postgresFactory, postgresUrl } from '../support/postgres.js';
import { okValue } from '../support/results.js';

// ---------------------------------------------------------------------------------------------------
// The world of a test: a memory store, a service writing to it on a clock the test moves, and the
// console over the same store, asked in process.
// ---------------------------------------------------------------------------------------------------

const opened: UsherConsole[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((running) => running.close()));
});

interface World {
  readonly store: EventStore;
  readonly clock: ReturnType<typeof manualClock>;
  readonly service: RoomService;
  readonly feed: LiveFeed;
  readonly web: UsherConsole;
}

/** A store with a service on a manual clock; `consoleOver` then opens the console on it (or on a wrapper of it). */
function givenStore(prefix = 1) {
  const store = createMemoryStore();
  const clock = manualClock();
  const service = createRoomService({ store, clock, ids: sequentialIds(prefix) });
  return { store, clock, service };
}

async function consoleOver(
  given: { store: EventStore; clock: ReturnType<typeof manualClock>; service: RoomService },
  options: { readonly access?: ConsoleAccess; readonly readFrom?: EventStore } = {},
): Promise<World> {
  const read = options.readFrom ?? given.store;
  const feed = await startLiveFeed(read, { maxIdleMs: 20 });
  const web = createConsole({ store: read, clock: given.clock, access: options.access ?? { kind: 'loopback' }, feed });
  opened.push(web);
  return { ...given, feed, web };
}

/** A GET of the console, as a browser on the same machine sends it (with its Host header). */
async function get(web: UsherConsole, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return web.fetch(new Request(`http://127.0.0.1:8081${path}`, { headers: { host: '127.0.0.1:8081', ...headers } }));
}

async function page(web: UsherConsole, path: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string }> {
  const response = await get(web, path, headers);
  return { status: response.status, html: await response.text() };
}

const query = (values: Record<string, string>) => `?${new URLSearchParams(values).toString()}`;

// ---------------------------------------------------------------------------------------------------
// Reading the pages: small, strict extractors over the server-rendered HTML.
// ---------------------------------------------------------------------------------------------------

const unescapeHtml = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');

const textOf = (fragment: string) =>
  unescapeHtml(fragment.replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();

/** The HTML of the table with this id. */
function tableHtml(html: string, id: string): string {
  const start = html.indexOf(`<table id="${id}"`);
  if (start === -1) throw new Error(`no table #${id} in the page:\n${html}`);
  return html.slice(start, html.indexOf('</table>', start) + '</table>'.length);
}

/** The text of each body cell of each row of a table. */
function tableRows(html: string, id: string): string[][] {
  const table = tableHtml(html, id);
  const body = table.slice(table.indexOf('<tbody>'), table.indexOf('</tbody>'));
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => textOf(cell[1] ?? '')),
  );
}

const captionOf = (html: string, id: string) => textOf(/<caption>([\s\S]*?)<\/caption>/.exec(tableHtml(html, id))?.[1] ?? '');

/** The line below a table that counts what it holds (the table is described by it). */
const countOf = (html: string, id: string) => textOf(new RegExp(`<p id="${id}-count"[^>]*>([\\s\\S]*?)</p>`).exec(html)?.[1] ?? '');

const captions = (html: string) => [...html.matchAll(/<caption>([\s\S]*?)<\/caption>/g)].map((match) => textOf(match[1] ?? ''));

/** The timeline's rows: their version and whether they are marked as replayed. */
function timelineRows(html: string): { version: number; replayed: boolean }[] {
  return [...tableHtml(html, 'timeline').matchAll(/<tr([^>]*data-version="(\d+)"[^>]*)>/g)].map((match) => ({
    version: Number(match[2]),
    replayed: /data-replayed="true"/.test(match[1] ?? ''),
  }));
}

/** The address of the link with this text, unescaped, or null. */
function linkTo(html: string, text: string): string | null {
  const match = new RegExp(`<a href="([^"]*)"[^>]*>${text}</a>`).exec(html);
  return match === null ? null : unescapeHtml(match[1] ?? '');
}

const alertOf = (html: string) => textOf(/<p [^>]*role="alert"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '');
const statusOf = (html: string) => textOf(/<p role="status">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '');

// ---------------------------------------------------------------------------------------------------
// Server-sent events, read off a response body as a browser's EventSource reads them.
// ---------------------------------------------------------------------------------------------------

interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

function eventsOf(response: Response) {
  if (response.body === null) throw new Error('the response has no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const parse = (block: string): ServerSentEvent | null => {
    const lines = block.split('\n').filter((line) => !line.startsWith(':'));
    if (lines.length === 0) return null;
    const field = (name: string) => lines.filter((line) => line.startsWith(`${name}: `)).map((line) => line.slice(name.length + 2));
    return { event: field('event')[0] ?? 'message', data: field('data').join('\n'), id: field('id')[0] ?? null };
  };
  return {
    /** The next event, or null when the stream ends. */
    async next(): Promise<ServerSentEvent | null> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parse(block);
          if (event !== null) return event;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    /** Every event to the stream's end. */
    async rest(): Promise<ServerSentEvent[]> {
      const events: ServerSentEvent[] = [];
      for (let event = await this.next(); event !== null; event = await this.next()) events.push(event);
      return events;
    },
    close: () => reader.cancel(),
  };
}

// ---------------------------------------------------------------------------------------------------

const alice = participant('alice');
const bob = participant('bob');
const carol = participant('carol');
const dave = participant('dave');

const defaultTenant = tenant('default');

describe('the rooms page', () => {
  it('lists the tenant’s rooms newest first, with the roster size and whether a call is on', async () => {
    // Given three rooms made a minute apart, the oldest with a call of one, the newest with a roster of three
    const given = givenStore();
    const oldest = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice, role: 'Presenter' }] }))).stream;
    given.clock.advance(MINUTE);
    const middle = (await okValue(given.service.createRoom(defaultTenant))).stream;
    given.clock.advance(MINUTE);
    const newest = (
      await okValue(
        given.service.createRoom(defaultTenant, {
          participants: [
            { id: alice, role: 'Attendee' },
            { id: bob, role: 'Attendee' },
            { id: carol, role: 'Consumer' },
          ],
        }),
      )
    ).stream;
    given.clock.advance(MINUTE);
    await okValue(given.service.joinCall(oldest, alice));
    const { web } = await consoleOver(given);

    // When the console's first page is asked for
    const { status, html } = await page(web, '/');

    // Then it lists the three, newest first, each with its roster size and call
    expect(status).toBe(200);
    expect(tableRows(html, 'rooms')).toEqual([
      [newest.roomId, 'open', '3', '—'],
      [middle.roomId, 'open', '0', '—'],
      [oldest.roomId, 'open', '1', 'active (1)'],
    ]);
    expect(captionOf(html, 'rooms')).toBe('Rooms');
    expect(countOf(html, 'rooms')).toBe('The 3 newest rooms.');
    expect(linkTo(html, 'Older rooms')).toBeNull();
  });

  it('pages through more rooms than fit one page, reaching each room exactly once', async () => {
    // Given 61 rooms, each made a minute after the one before
    const given = givenStore();
    const made: string[] = [];
    for (let index = 0; index < 61; index += 1) {
      made.push((await okValue(given.service.createRoom(defaultTenant))).stream.roomId);
      given.clock.advance(MINUTE);
    }
    const { web } = await consoleOver(given);

    // When the pages are followed by their "Older rooms" links from the first
    const pages: string[][] = [];
    let next: string | null = '/';
    while (next !== null) {
      const { status, html }: { status: number; html: string } = await page(web, next);
      expect(status, next).toBe(200);
      pages.push(tableRows(html, 'rooms').map((row) => row[0] ?? ''));
      next = linkTo(html, 'Older rooms');
      if (pages.length > 1) expect(linkTo(html, 'Newest rooms')).toBe('/?tenant=default');
      expect(pages.length).toBeLessThan(10);
    }

    // Then pages of 25 hold every room once, newest first
    expect(pages.map((rooms) => rooms.length)).toEqual([25, 25, 11]);
    expect(pages.flat()).toEqual([...made].reverse());
  });

  it('says that a tenant with no rooms has none, naming it', async () => {
    // Given a store whose rooms all belong to tenant default
    const given = givenStore();
    await okValue(given.service.createRoom(defaultTenant));
    const { web } = await consoleOver(given);

    // When the rooms of tenant nobody-here are asked for
    const { status, html } = await page(web, '/?tenant=nobody-here');

    // Then the answer is a page, not an error, that names the tenant and lists nothing
    expect(status).toBe(200);
    expect(statusOf(html)).toMatch(/^Tenant nobody-here has no rooms\./);
    expect(html).not.toContain('<table id="rooms"');
  });

  it('refuses a tenant id that is not one, and a page token that is not one, saying what is wrong', async () => {
    // Given a console over a store with a room
    const given = givenStore();
    await okValue(given.service.createRoom(defaultTenant));
    const { web } = await consoleOver(given);

    // When the tenant is " bad"
    const tenantRefused = await page(web, '/?tenant=%20bad');
    // Then it is a 400 that quotes it and says what a tenant id is
    expect(tenantRefused.status).toBe(400);
    expect(alertOf(tenantRefused.html)).toBe(
      '“ bad” is not a tenant id. A tenant id is 1 to 64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit.',
    );

    // When the page token is made up
    const pageRefused = await page(web, '/?page=not-a-token');
    // Then it is a 400 that says the address names no page of rooms
    expect(pageRefused.status).toBe(400);
    expect(alertOf(pageRefused.html)).toMatch(/^This address does not name a page of rooms: /);
  });
});

describe('searching rooms', () => {
  it('finds a room by its id, a deleted one too, shown as deleted', async () => {
    // Given a room that was deleted, and another that was not
    const given = givenStore();
    const gone = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice }] }))).stream;
    given.clock.advance(MINUTE);
    await okValue(given.service.createRoom(defaultTenant));
    given.clock.advance(MINUTE);
    await okValue(given.service.deleteRoom(gone));
    const { web } = await consoleOver(given);

    // When its id is searched for
    const { status, html } = await page(web, `/${query({ q: gone.roomId })}`);

    // Then the search finds it, and only it, as deleted (the list of rooms does not show it)
    expect(status).toBe(200);
    expect(tableRows(html, 'rooms')).toEqual([[gone.roomId, 'deleted', '1', '—']]);
    expect(countOf(html, 'rooms')).toBe(`1 room matching “${gone.roomId}”.`);
    const listed = await page(web, '/');
    expect(tableRows(listed.html, 'rooms').map((row) => row[0])).not.toContain(gone.roomId);
  });

  it('finds by a participant id every room whose roster holds them, and no other', async () => {
    // Given bob on the rosters of two rooms of three, and on a room of another tenant
    const given = givenStore();
    const first = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice }, { id: bob }] }))).stream;
    given.clock.advance(MINUTE);
    await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: carol }] }));
    given.clock.advance(MINUTE);
    const third = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: bob }] }))).stream;
    given.clock.advance(MINUTE);
    await okValue(given.service.createRoom(tenant('fabrikam'), { participants: [{ id: bob }] }));
    const { web } = await consoleOver(given);

    // When bob is searched for
    const { status, html } = await page(web, `/${query({ q: bob })}`);

    // Then the two rooms of this tenant that hold him are found, newest first
    expect(status).toBe(200);
    expect(tableRows(html, 'rooms').map((row) => row[0])).toEqual([third.roomId, first.roomId]);

    // And a participant on no roster finds nothing, saying so
    const nobody = await page(web, `/${query({ q: dave })}`);
    expect(nobody.status).toBe(200);
    expect(statusOf(nobody.html)).toBe(`No room of tenant default has the id or a participant “${dave}”.`);
  });

  it('refuses a query that is neither a room id nor a participant id, saying what either looks like', async () => {
    // Given a console over a store with a room
    const given = givenStore();
    await okValue(given.service.createRoom(defaultTenant));
    const { web } = await consoleOver(given);

    // When "hello" is searched for
    const { status, html } = await page(web, '/?q=hello');

    // Then it is a 400 whose message says what a room id and a participant id are
    expect(status).toBe(400);
    expect(statusOf(html)).toBe('“hello” is neither a room id (16 to 18 digits) nor a participant id (such as 8:acs:<resource>_<user>).');
  });
});

describe('the room page', () => {
  /** A room: created with alice at T0, bob added an hour later, carol two hours later. */
  async function roomOfThree() {
    const given = givenStore();
    const room = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice, role: 'Presenter' }] }))).stream;
    given.clock.set(at(HOUR));
    await okValue(given.service.addParticipants(room, [{ id: bob, role: 'Attendee' }]));
    given.clock.set(at(2 * HOUR));
    await okValue(given.service.addParticipants(room, [{ id: carol, role: 'Attendee' }]));
    given.clock.set(at(3 * HOUR));
    return { given, room };
  }

  it('shows the roster, the call and the timeline of the room now', async () => {
    // Given a room of three, with bob in a call
    const { given, room } = await roomOfThree();
    await okValue(given.service.joinCall(room, bob));
    const { web } = await consoleOver(given);

    // When its page is asked for
    const { status, html } = await page(web, `/rooms/${room.roomId}`);

    // Then it holds its tables, each with what is now
    expect(status).toBe(200);
    expect(captions(html)).toEqual(['Call', 'Roster', 'Timeline']);
    expect(countOf(html, 'call')).toBe(`1 in the call, since ${at(3 * HOUR).toISOString()}.`);
    expect(countOf(html, 'roster')).toBe('3 participants');
    expect(countOf(html, 'timeline')).toBe('Versions 1–6 of 6.');
    expect(tableRows(html, 'roster')).toEqual([
      [alice, 'Presenter'],
      [bob, 'Attendee'],
      [carol, 'Attendee'],
    ]);
    expect(tableRows(html, 'call')).toEqual([[bob, 'Attendee', 'no', 'no']]);
    expect(timelineRows(html)).toEqual([1, 2, 3, 4, 5, 6].map((version) => ({ version, replayed: false })));
  });

  it('shows the room as it was at an instant, marking exactly the events replayed to get there', async () => {
    // Given a room to which carol was added two hours after it was made
    const { given, room } = await roomOfThree();
    const { web } = await consoleOver(given);

    // When it is asked for as of an instant between bob’s and carol’s additions
    const instant = at(HOUR + 30 * MINUTE).toISOString();
    const { status, html } = await page(web, `/rooms/${room.roomId}${query({ at: instant })}`);

    // Then the roster is without carol, and versions 1 to 3 (not 4) are the ones marked replayed
    expect(status).toBe(200);
    expect(tableRows(html, 'roster')).toEqual([
      [alice, 'Presenter'],
      [bob, 'Attendee'],
    ]);
    expect(html).toContain(`As of ${instant} (version 3)`);
    expect(timelineRows(html)).toEqual([
      { version: 1, replayed: true },
      { version: 2, replayed: true },
      { version: 3, replayed: true },
      { version: 4, replayed: false },
    ]);

    // And before the room was made, it did not exist yet, and nothing is replayed
    const before = await page(web, `/rooms/${room.roomId}${query({ at: at(-MINUTE).toISOString() })}`);
    expect(before.status).toBe(200);
    expect(tableRows(before.html, 'roster')).toEqual([['The room did not exist yet.']]);
    expect(timelineRows(before.html).filter((row) => row.replayed)).toEqual([]);
  });

  it('refuses an instant that is not one, with the reason and an example', async () => {
    // Given a room
    const { given, room } = await roomOfThree();
    const { web } = await consoleOver(given);

    // When it is asked for as of "garbage"
    const { status, html } = await page(web, `/rooms/${room.roomId}?at=garbage`);

    // Then it is a 400 that says what an instant looks like
    expect(status).toBe(400);
    expect(alertOf(html)).toBe('at must be an ISO-8601 date-time with an offset, such as 2024-01-04T13:46:18Z. For example 2026-11-25T14:03:00Z.');
  });

  it('answers 404 for a room that never existed and for a room of another tenant, 400 for an id that is not a room id', async () => {
    // Given a room of tenant fabrikam
    const given = givenStore();
    const theirs = (await okValue(given.service.createRoom(tenant('fabrikam')))).stream;
    const { web } = await consoleOver(given);

    // When tenant default asks for a room id no room has
    const unknown = await page(web, '/rooms/99000000000000999');
    // Then the room is unknown
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('<h1>Unknown room</h1>');
    expect(alertOf(unknown.html)).toBe('Tenant default has no room 99000000000000999: it never existed, or it belongs to another tenant.');

    // When tenant default asks for fabrikam’s room
    const foreign = await page(web, `/rooms/${theirs.roomId}`);
    // Then it is unknown to it, as a room that never existed is
    expect(foreign.status).toBe(404);
    expect(foreign.html).toContain('<h1>Unknown room</h1>');
    // (and fabrikam sees it)
    expect((await page(web, `/rooms/${theirs.roomId}?tenant=fabrikam`)).status).toBe(200);

    // When the id is not digits
    const notAnId = await page(web, '/rooms/lobby');
    // Then it is a 400 that says why
    expect(notAnId.status).toBe(400);
    expect(alertOf(notAnId.html)).toMatch(/^“lobby” is not a room id: A room id is 16 to 18 digits long/);
  });

  it('pages a long timeline, and lands on the page of the version an instant replays to', async () => {
    // Given a room with 65 events, each a minute after the one before
    const given = givenStore();
    const room = (await okValue(given.service.createRoom(defaultTenant))).stream;
    const instants = [T0];
    for (let index = 1; index <= 64; index += 1) {
      given.clock.set(at(index * MINUTE));
      instants.push(given.clock.now());
      await okValue(given.service.addParticipants(room, [{ id: participant(`guest${index}`) }]));
    }
    const { web } = await consoleOver(given);
    const roomPath = `/rooms/${room.roomId}`;

    // When its page is asked for now
    const now = await page(web, roomPath);
    // Then it shows the last page of the timeline, versions 51 to 65
    expect(timelineRows(now.html).map((row) => row.version)).toEqual(range(51, 65));
    expect(countOf(now.html, 'timeline')).toBe('Versions 51–65 of 65.');
    expect(linkTo(now.html, 'Later')).toBeNull();

    // When the pages are followed from the first by their "Later" links
    const seen: number[] = [];
    let next = linkTo(now.html, 'First');
    expect(next).toBe(`${roomPath}?tenant=default&from=1`);
    while (next !== null) {
      const shown = await page(web, next);
      expect(shown.status).toBe(200);
      seen.push(...timelineRows(shown.html).map((row) => row.version));
      next = linkTo(shown.html, 'Later');
      expect(seen.length).toBeLessThan(200);
    }
    // Then each version is on exactly one page
    expect(seen).toEqual(range(1, 65));

    // When it is asked for as of the instant of version 30, and of version 55
    const early = await page(web, `${roomPath}${query({ at: instants[29]?.toISOString() ?? '' })}`);
    const late = await page(web, `${roomPath}${query({ at: instants[54]?.toISOString() ?? '' })}`);
    // Then each lands on the page that holds that version, marked up to it
    expect(timelineRows(early.html)).toEqual(range(1, 50).map((version) => ({ version, replayed: version <= 30 })));
    expect(timelineRows(late.html)).toEqual(range(51, 65).map((version) => ({ version, replayed: version <= 55 })));
    // And the other pages keep the instant
    expect(linkTo(early.html, 'Later')).toBe(`${roomPath}${query({ tenant: 'default', at: instants[29]?.toISOString() ?? '', from: '51' })}`);
  });

  it('pages a roster of more than a hundred', async () => {
    // Given a room with 130 participants
    const given = givenStore();
    const guests = range(1, 130).map((index) => participant(`guest${String(index).padStart(3, '0')}`));
    const room = (await okValue(given.service.createRoom(defaultTenant, { participants: guests.map((id) => ({ id })) }))).stream;
    const { web } = await consoleOver(given);

    // When its page is asked for
    const first = await page(web, `/rooms/${room.roomId}`);
    // Then the roster shows the first hundred, and links to the rest
    expect(countOf(first.html, 'roster')).toBe('130 participants');
    expect(tableRows(first.html, 'roster').map((row) => row[0])).toEqual(guests.slice(0, 100));
    const next = linkTo(first.html, 'Next participants');
    expect(next).toBe(`/rooms/${room.roomId}?tenant=default&roster=100`);

    // When that link is followed
    const second = await page(web, next ?? '');
    // Then the other thirty are shown, and none after them
    expect(tableRows(second.html, 'roster').map((row) => row[0])).toEqual(guests.slice(100));
    expect(linkTo(second.html, 'Next participants')).toBeNull();
    expect(linkTo(second.html, 'Previous participants')).toBe(`/rooms/${room.roomId}?tenant=default&roster=0`);
  });
});

describe('the chain status of a room', () => {
  it('says the chain is verified, with its head hash, when nothing was changed', async () => {
    // Given a room of four events
    const given = givenStore();
    const room = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice }, { id: bob }, { id: carol }] }))).stream;
    const head = (await okValue(given.store.readStream(room))).at(-1);
    const { web } = await consoleOver(given);

    // When its page is asked for
    const { html } = await page(web, `/rooms/${room.roomId}`);

    // Then the page says the four events link up, and shows the hash of the last
    expect(head?.version).toBe(4);
    expect(textOf(/<p id="chain"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '')).toBe(`Chain verified: 4 events link up; head hash ${head?.hash}`);
  });

  it('says where the chain breaks when a store hands back an event whose hash was changed', async () => {
    // Given a room whose third event comes back from the store with another hash, and a room left alone
    const given = givenStore();
    const tampered = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice }, { id: bob }, { id: carol }] }))).stream;
    given.clock.advance(MINUTE);
    const intact = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice }] }))).stream;
    const { store } = given;
    const changed: EventStore = {
      ...store,
      readStream: (stream, range) =>
        store
          .readStream(stream, range)
          .map((events) =>
            events.map((event) => (stream.roomId === tampered.roomId && event.version === 3 ? { ...event, hash: `${'0'.repeat(63)}1` } : event)),
          ),
    };
    const { web } = await consoleOver(given, { readFrom: changed });

    // When the pages of both are asked for
    const broken = await page(web, `/rooms/${tampered.roomId}`);
    const whole = await page(web, `/rooms/${intact.roomId}`);

    // Then the changed one's chain is broken at version 3, and the other is verified
    expect(broken.status).toBe(200);
    expect(textOf(/<p id="chain"[^>]*>([\s\S]*?)<\/p>/.exec(broken.html)?.[1] ?? '')).toMatch(
      /^Chain broken at version 3: Event \S+ \(tenant default, room \d+, version 3\): /,
    );
    expect(whole.html).toContain('<strong>Chain verified</strong>');
    expect(whole.html).not.toContain('Chain broken');
  });
});

describe('verifying the log', () => {
  /** Two rooms of tenant default (3 and 2 events) and one of fabrikam (1 event): 6 events in 3 rooms. */
  async function threeRooms() {
    const given = givenStore();
    await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice }, { id: bob }] }));
    given.clock.advance(MINUTE);
    await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice }] }));
    given.clock.advance(MINUTE);
    await okValue(given.service.createRoom(tenant('fabrikam')));
    return consoleOver(given);
  }

  it('renders the outcome of a verification asked for with ?verify=1', async () => {
    // Given a log of 6 events in 3 rooms
    const { web } = await threeRooms();

    // When the log page is asked for without verifying, then with ?verify=1
    const before = await page(web, '/log');
    const { status, html } = await page(web, '/log?verify=1');

    // Then the first only counts the log, and the second says it checks out, with the counts
    expect(before.status).toBe(200);
    expect(before.html).toContain('<strong id="log-head">6</strong>');
    expect(before.html).not.toContain('id="verify-events"');
    expect(status).toBe(200);
    expect(html).toContain('Every hash chain, position and projection checks out');
    expect(textOf(/<dd id="verify-events">([\s\S]*?)<\/dd>/.exec(html)?.[1] ?? '')).toBe('6');
    expect(textOf(/<dd id="verify-rooms">([\s\S]*?)<\/dd>/.exec(html)?.[1] ?? '')).toBe('3');
  });

  it('streams the verification, ending with its outcome', async () => {
    // Given a log of 6 events in 3 rooms
    const { web } = await threeRooms();

    // When its verification stream is read to its end
    const response = await get(web, '/log/verify');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await eventsOf(response).rest();

    // Then the stream ends with done, verified, with the counts
    const last = events.at(-1);
    expect(last?.event).toBe('done');
    expect(JSON.parse(last?.data ?? '{}')).toMatchObject({ verified: true, events: 6, rooms: 3, identities: 0 });
    expect(events.slice(0, -1).every((event) => event.event === 'progress')).toBe(true);
  });

  it('names the first broken event when the log holds one, on the page and in the stream', async () => {
    // Given a log whose fourth event comes back from the store with another hash
    const given = givenStore();
    await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice }, { id: bob }] }));
    given.clock.advance(MINUTE);
    const second = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: carol }] }))).stream;
    const { store } = given;
    const changed: EventStore = {
      ...store,
      readAll: (from) =>
        store.readAll(from).map((events) => events.map((event) => (event.position === 4 ? { ...event, hash: `${'0'.repeat(63)}1` } : event))),
    };
    const { web } = await consoleOver(given, { readFrom: changed });

    // When the log is verified, on the page and through the stream
    const { status, html } = await page(web, '/log?verify=1');
    const last = (await eventsOf(await get(web, '/log/verify')).rest()).at(-1);

    // Then both say it is broken, naming the event at version 1 of the second room
    expect(status).toBe(200);
    expect(html).toContain('Broken');
    const failure = textOf(/<dd id="verify-failure">([\s\S]*?)<\/dd>/.exec(html)?.[1] ?? '');
    expect(failure).toMatch(new RegExp(`^Event \\S+ \\(tenant default, room ${second.roomId}, version 1\\): `));
    expect(last?.event).toBe('done');
    expect(JSON.parse(last?.data ?? '{}')).toEqual({ verified: false, message: failure });
  });
});

describe('the live call', () => {
  /** A room of alice and bob, open now. */
  async function liveRoom() {
    const given = givenStore();
    const room = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: alice }, { id: bob }] }))).stream;
    const other = (await okValue(given.service.createRoom(defaultTenant, { participants: [{ id: carol }] }))).stream;
    given.clock.advance(MINUTE);
    const world = await consoleOver(given);
    const version = (await okValue(given.store.loadRoom(room)))?.version ?? 0;
    return { ...world, room, other, version };
  }

  const liveStream = (web: UsherConsole, room: StreamKey, since: number) =>
    get(web, `/rooms/${room.roomId}/live${query({ tenant: room.tenantId, since: String(since) })}`);

  /** Resolves once the console's feed has read an event of this room: the feed tells its watchers in log order. */
  const feedReaches = (feed: LiveFeed, room: StreamKey) =>
    new Promise<void>((resolve) => {
      const unwatch = feed.watch(room.tenantId, room.roomId, () => {
        unwatch();
        resolve();
      });
    });

  it('sends the call again when someone joins it', async () => {
    // Given a page of the room's live stream, as of the room's version now
    const { web, service, room, version } = await liveRoom();
    const response = await liveStream(web, room, version);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = eventsOf(response);
    try {
      // When bob joins the call
      await okValue(service.joinCall(room, bob));

      // Then a live event comes, at the room's new version, whose call table holds bob
      const live = await events.next();
      expect(live?.event).toBe('live');
      const newVersion = (await okValue(service.loadRoom(room)))?.version;
      expect(live?.id).toBe(String(newVersion));
      expect(tableRows(live?.data ?? '', 'call')).toEqual([[bob, 'Attendee', 'no', 'no']]);
      expect(live?.data).toContain(`data-version="${newVersion}"`);
    } finally {
      await events.close();
    }
  });

  it('sends nothing for an event of another room: the next thing it sends is this room’s next version', async () => {
    // Given a page of the room's live stream
    const { web, feed, service, room, other, version } = await liveRoom();
    const events = eventsOf(await liveStream(web, room, version));
    try {
      // When an event of another room is appended, and the console's feed has read it
      const otherRead = feedReaches(feed, other);
      await okValue(service.joinCall(other, carol));
      await otherRead;
      // And only then one of this room
      await okValue(service.joinCall(room, alice));

      // Then the first live event is this room's, at its new version, with alice (not carol) in its call
      const live = await events.next();
      const newVersion = (await okValue(service.loadRoom(room)))?.version;
      expect(live?.event).toBe('live');
      expect(live?.id).toBe(String(newVersion));
      expect(tableRows(live?.data ?? '', 'call')).toEqual([[alice, 'Attendee', 'no', 'no']]);
    } finally {
      await events.close();
    }
  });

  it('answers 404, not an endless stream, for a room that does not exist', async () => {
    // Given a console over a store with a room
    const { web, room } = await liveRoom();

    // When a live stream is asked for a room id nobody created
    const response = await liveStream(web, { ...room, roomId: '99000000000000001' as StreamKey['roomId'] }, 0);

    // Then it is refused as an unknown room
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Unknown room');
  });

  it('sends at once what the page missed when the page is older than the room', async () => {
    // Given a room that moved on after its page was rendered at an older version
    const { web, service, room, version } = await liveRoom();
    await okValue(service.joinCall(room, alice));

    // When the page opens its live stream with the older version
    const events = eventsOf(await liveStream(web, room, version));
    try {
      // Then the room as it is now comes first
      const live = await events.next();
      expect(live?.event).toBe('live');
      expect(Number(live?.id)).toBeGreaterThan(version);
      expect(tableRows(live?.data ?? '', 'call')).toEqual([[alice, 'Attendee', 'no', 'no']]);
    } finally {
      await events.close();
    }
  });
});

describe('the answers’ headers, assets and unknown paths', () => {
  it('answers every page as a whole HTML document, starting with its doctype (else a browser renders it in quirks mode)', async () => {
    // Given a console over a room
    const given = givenStore();
    const room = (await okValue(given.service.createRoom(defaultTenant))).stream;
    const { web } = await consoleOver(given);

    // When each kind of page is asked for
    const paths = ['/', '/?tenant=nobody-here', `/${query({ q: room.roomId })}`, `/rooms/${room.roomId}`, '/rooms/lobby', '/log', '/nowhere'];
    const starts = await Promise.all(paths.map(async (path) => [path, (await page(web, path)).html.slice(0, 15)] as const));

    // Then each starts with the doctype
    expect(starts).toEqual(paths.map((path) => [path, '<!doctype html>']));
  });

  it('sends a content security policy that loads nothing from elsewhere with every answer', async () => {
    // Given a console over a room
    const given = givenStore();
    const room = (await okValue(given.service.createRoom(defaultTenant))).stream;
    const { web } = await consoleOver(given);

    // When pages, refusals, assets, a stream and unknown paths are asked for
    const paths = [
      '/',
      '/?q=hello',
      `/rooms/${room.roomId}`,
      '/rooms/99000000000000999',
      '/rooms/lobby',
      '/log',
      '/assets/console.js',
      '/assets/nope',
      '/nowhere',
    ];
    const answers = await Promise.all(paths.map((path) => get(web, path)));
    const refused = await get(web, '/', { host: 'evil.example' });
    const stream = await get(web, '/log/verify');
    await stream.text();

    // Then each carries the policy, and denies framing
    for (const [index, response] of [...answers, refused, stream].entries()) {
      const what = paths[index] ?? (index === paths.length ? 'a refused host' : 'the verify stream');
      expect(response.headers.get('content-security-policy'), what).toMatch(/^default-src 'none'; /);
      expect(response.headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options'), what).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), what).toBe('no-referrer');
    }
  });

  it('serves its own script, style and icon with their types, and 404 for anything else', async () => {
    // Given a console
    const { web } = await consoleOver(givenStore());

    // When its assets are asked for
    const types = await Promise.all(
      ['console.js', 'console.css', 'favicon.svg'].map(async (name) => {
        const response = await get(web, `/assets/${name}`);
        return [name, response.status, response.headers.get('content-type'), (await response.text()).length > 0] as const;
      }),
    );

    // Then each answers with its type
    expect(types).toEqual([
      ['console.js', 200, 'text/javascript; charset=utf-8', true],
      ['console.css', 200, 'text/css; charset=utf-8', true],
      ['favicon.svg', 200, 'image/svg+xml', true],
    ]);
    // And an asset it does not have, or a path it does not serve, is not found
    expect((await get(web, '/assets/nope')).status).toBe(404);
    const unknown = await page(web, '/nowhere');
    expect(unknown.status).toBe(404);
    expect(alertOf(unknown.html)).toBe('The console has no page at /nowhere.');
  });
});

describe('who may read the console', () => {
  it('on loopback, answers only requests that name a loopback host', async () => {
    // Given a console open to loopback
    const { web } = await consoleOver(givenStore());

    // When a page elsewhere (a rebound name) asks, and then pages on this machine
    const rebound = await get(web, '/', { host: 'evil.example' });
    const byName = await get(web, '/', { host: 'localhost:8081' });
    const byAddress = await get(web, '/', { host: '127.0.0.1:8081' });

    // Then only the rebound name is refused
    expect(rebound.status).toBe(403);
    expect(await rebound.text()).toContain('This console answers only to requests for its loopback address');
    expect(byName.status).toBe(200);
    expect(byAddress.status).toBe(200);

    // And a request that names no host at all (HTTP/1.0) is refused too: the gate fails closed
    const nameless = await web.fetch(new Request('http://127.0.0.1:8081/'));
    expect(nameless.status).toBe(403);
  });

  describe('with a token', () => {
    const token = 'a-login-token-of-the-test-0123456789';

    async function tokenConsole() {
      const given = givenStore();
      const room = (await okValue(given.service.createRoom(defaultTenant))).stream;
      const world = await consoleOver(given, { access: { kind: 'token', token } });
      return { ...world, room };
    }

    it('refuses a request without the token, or with another', async () => {
      // Given a console that needs a token
      const { web } = await tokenConsole();

      // When it is asked without one, with a wrong one, and with a wrong bearer
      const without = await get(web, '/');
      const wrong = await get(web, `/${query({ token: 'not-the-token' })}`);
      const wrongBearer = await get(web, '/', { authorization: 'Bearer not-the-token' });

      // Then each is 401, saying a token is needed
      for (const response of [without, wrong, wrongBearer]) {
        expect(response.status).toBe(401);
        expect(await response.text()).toContain('This console needs its login token');
        expect(response.headers.get('set-cookie')).toBeNull();
      }
    });

    it('takes the token from the address once, then from its cookie', async () => {
      // Given a console that needs a token
      const { web, room } = await tokenConsole();

      // When the room's page is opened with the token in its address
      const login = await get(web, `/rooms/${room.roomId}${query({ tenant: 'default', token })}`);

      // Then it redirects to the same address without the token, and keeps the token in a strict, HttpOnly cookie
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe(`/rooms/${room.roomId}?tenant=default`);
      const cookie = login.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^usher-console=[^;]+;/);
      expect(cookie).toMatch(/; HttpOnly(;|$)/);
      expect(cookie).toMatch(/; SameSite=Strict(;|$)/);
      expect(cookie).toMatch(/; Path=\/(;|$)/);

      // When the redirect is followed with the cookie
      const followed = await get(web, login.headers.get('location') ?? '', { cookie: cookie.split(';')[0] ?? '' });
      // Then the room is shown
      expect(followed.status).toBe(200);
      expect(await followed.text()).toContain(`<code>${room.roomId}</code>`);

      // And a token alone at the root drops to the root
      expect((await get(web, `/?token=${token}`)).headers.get('location')).toBe('/');
    });

    it('takes the token as a bearer', async () => {
      // Given a console that needs a token
      const { web, room } = await tokenConsole();

      // When the rooms page is asked for with the token as a bearer
      const { status, html } = await page(web, '/', { authorization: `Bearer ${token}` });

      // Then it is shown
      expect(status).toBe(200);
      expect(tableRows(html, 'rooms').map((row) => row[0])).toEqual([room.roomId]);
    });

    it('guards its assets and streams too', async () => {
      // Given a console that needs a token
      const { web, room } = await tokenConsole();

      // When its assets and streams are asked for without the token
      const answers = await Promise.all(
        ['/assets/console.js', '/assets/console.css', '/assets/favicon.svg', '/log/verify', `/rooms/${room.roomId}/live?since=0`].map(
          async (path) => [path, (await get(web, path)).status] as const,
        ),
      );

      // Then each is refused
      expect(answers.map(([path, status]) => [path, status])).toEqual(answers.map(([path]) => [path, 401]));
    });
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

const url = postgresUrl();

describe.runIf(url !== null)('over PostgreSQL, with another node writing', () => {
  const factory = postgresFactory(url ?? '');
  afterAll(() => factory.dispose());

  it('lists the rooms another node made, and streams a join that node appends', async () => {
    // Given a console over a PostgreSQL schema, and a service writing to the same schema through a store of its own (another node)
    const consoleStore = await factory.open();
    const nodeStore = createPostgresStore({ connectionString: url ?? '', schema: factory.schemaOf(consoleStore), poolSize: 2 });
    try {
      const clock = manualClock();
      const node = createRoomService({ store: nodeStore, clock, ids: sequentialIds(7) });
      const room = (await okValue(node.createRoom(defaultTenant, { participants: [{ id: alice }, { id: bob }] }))).stream;
      const feed = await startLiveFeed(consoleStore, { maxIdleMs: 20 });
      const web = createConsole({ store: consoleStore, clock, access: { kind: 'loopback' }, feed });
      opened.push(web);

      // When the rooms page and the room's page are asked for
      const rooms = await page(web, '/');
      const roomPage = await page(web, `/rooms/${room.roomId}`);

      // Then they show what the other node wrote
      expect(tableRows(rooms.html, 'rooms').map((row) => row[0])).toEqual([room.roomId]);
      expect(
        tableRows(roomPage.html, 'roster')
          .map((row) => row[0])
          .sort(),
      ).toEqual([alice, bob].sort());
      expect(roomPage.html).toContain('Chain verified');

      // And when that node appends a join, the live stream sends the call with it
      const version = (await okValue(consoleStore.loadRoom(room)))?.version ?? 0;
      const events = eventsOf(await get(web, `/rooms/${room.roomId}/live${query({ tenant: room.tenantId, since: String(version) })}`));
      try {
        await okValue(node.joinCall(room, alice));
        const live = await events.next();
        expect(live?.event).toBe('live');
        expect(Number(live?.id)).toBeGreaterThan(version);
        expect(tableRows(live?.data ?? '', 'call')).toEqual([[alice, 'Attendee', 'no', 'no']]);
      } finally {
        await events.close();
      }
    } finally {
      await nodeStore.close();
      await Promise.all(opened.splice(0).map((running) => running.close()));
      await consoleStore.close();
    }
  });
});
