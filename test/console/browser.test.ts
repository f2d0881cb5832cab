import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, type StartedProcess, signedFetch, startProcess, startUsher } from '../support/usher-process.js';

/**
 * The console in a real browser (Debian's chromium, driven by playwright-core), over an `usher serve`
 * and an `usher console` sharing one SQLite file, as a user runs them. With USHER_SCREENSHOTS=1 it
 * also writes the README's screenshots (`npm run screenshots`).
 */

const CHROMIUM = process.env.USHER_CHROMIUM ?? '/usr/bin/chromium';
const VERSION = 'api-version=2025-03-13';
const ALICE = '8:acs:console_alice';
const BOB = '8:acs:console_bob';
const CAROL = '8:acs:console_carol';
const SCREENSHOTS = process.env.USHER_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI === 'true') throw new Error(`The console's browser test needs Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium).`);
  console.warn(`console browser test skipped: no Chromium at ${CHROMIUM} (install Debian's chromium, or set USHER_CHROMIUM)`);
}

describe.runIf(hasChromium)('the console in a browser', () => {
  let dir: string;
  let api: StartedProcess;
  let usherConsole: StartedProcess;
  let consoleUrl: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  let meetingRoom = '';
  let carolAddedAt = '';

  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await signedFetch(api.endpoint, api.key, method, path, body === undefined ? '' : JSON.stringify(body));
    expect(answer.status, `${method} ${path}: ${await answer.clone().text()}`).toBeLessThan(300);
    return answer.status === 204 ? null : ((await answer.json()) as Record<string, unknown>);
  };

  /** A table by its caption, as assistive technology finds it. */
  const table = (caption: string) => page.getByRole('table', { name: caption, exact: true });

  /** Waits until the next millisecond has begun, so that two events get distinct instants. */
  const nextInstant = async () => {
    const before = Date.now();
    while (Date.now() <= before + 2) await new Promise((resolve) => setTimeout(resolve, 1));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'usher-console-'));
    const db = join(dir, 'usher.db');
    api = await startUsher(['--db', db, '--no-request-log']);
    // A few rooms around the one we look for, so that the search has something to pass over.
    for (let index = 0; index < 3; index += 1) await call('POST', `/rooms?${VERSION}`, { participants: { [BOB]: { role: 'Attendee' } } });
    const created = await call('POST', `/rooms?${VERSION}`, { participants: { [ALICE]: { role: 'Presenter' }, [BOB]: { role: 'Consumer' } } });
    meetingRoom = String(created?.id);
    await call('POST', `/rooms?${VERSION}`, {});
    await nextInstant();
    await call('PATCH', `/rooms/${meetingRoom}/participants?${VERSION}`, { participants: { [CAROL]: { role: 'Attendee' } } });
    await call('POST', `/rooms/${meetingRoom}/call/participants?${VERSION}`, { id: BOB });

    usherConsole = await startProcess(process.execPath, [MAIN, 'console', '--db', db, '--port', '0'], {}, /console: (http:\/\/\S+)/);
    consoleUrl = usherConsole.endpoint;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    usherConsole?.signal('SIGTERM');
    api?.signal('SIGTERM');
    await Promise.all([usherConsole?.exit, api?.exit]);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('finds a room by a participant id, and shows its roster and timeline', async () => {
    await page.goto(consoleUrl);
    await expect.poll(() => table('Rooms').locator('caption').textContent()).toContain('Rooms');
    expect(await table('Rooms').locator('tbody tr').count()).toBe(5);
    await shoot(page, 'rooms.png');

    await page.getByLabel('Room id or participant id').fill(CAROL);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(/q=/);
    const found = table('Rooms').locator('tbody tr');
    expect(await found.count()).toBe(1);
    await found.getByRole('link', { name: meetingRoom }).click();
    await page.waitForURL(new RegExp(`/rooms/${meetingRoom}`));

    const roster = await textOf(table('Roster').locator('tbody'));
    for (const id of [ALICE, BOB, CAROL]) expect(roster).toContain(id);
    const timeline = table('Timeline').locator('tbody tr');
    expect(await timeline.count()).toBeGreaterThanOrEqual(6);
    expect(await textOf(table('Timeline'))).toContain(`${CAROL} invited as Attendee`);
    expect(await textOf(page.locator('#chain'))).toContain('Chain verified');
    carolAddedAt =
      (await page
        .locator('#timeline tbody tr', { hasText: `${CAROL} invited` })
        .locator('time')
        .getAttribute('datetime')) ?? '';
    expect(carolAddedAt).not.toBe('');
  });

  it('moves the time control to before a participant was added, and shows the roster without them', async () => {
    // The slider's first position is the room's first event: before Carol was invited.
    const slider = page.getByLabel(/Room’s life/);
    await slider.focus();
    await page.keyboard.press('Home');
    await page.waitForURL(/at=/);
    const at = new URL(page.url()).searchParams.get('at') ?? '';
    expect(Date.parse(at)).toBeLessThan(Date.parse(carolAddedAt));
    const roster = await textOf(table('Roster').locator('tbody'));
    expect(roster).toContain(ALICE);
    expect(roster).not.toContain(CAROL);
    expect(await textOf(page.locator('#live-heading'))).toContain(`As of ${at}`);
    const replayed = await table('Timeline').locator('tbody tr[data-replayed="true"]').count();
    expect(replayed).toBeGreaterThan(0);
    expect(
      await table('Timeline')
        .locator('tbody tr', { hasText: `${CAROL} invited` })
        .getAttribute('data-replayed'),
    ).toBeNull();
    await shoot(page, 'room-at.png', true);

    // The exact instant field says the same, and the link carries it: the address is what an auditor sends.
    const instant = new Date(Date.parse(carolAddedAt) - 1).toISOString();
    await page.getByLabel('Instant (ISO-8601, UTC)').fill(instant);
    await page.getByLabel('Instant (ISO-8601, UTC)').press('Enter');
    await page.waitForURL((url) => url.searchParams.get('at') === instant);
    expect(await textOf(table('Roster').locator('tbody'))).not.toContain(CAROL);
    await page.goto(page.url());
    expect(await textOf(table('Roster').locator('tbody'))).not.toContain(CAROL);
  });

  it('shows someone who joins through the call API in the live call, without a reload', async () => {
    await page.getByRole('link', { name: 'Now' }).click();
    await page.waitForURL((url) => !url.searchParams.has('at'));
    const inCall = table('Call').locator('tbody');
    expect(await textOf(inCall)).toContain(BOB);
    expect(await textOf(inCall)).not.toContain(CAROL);
    await shoot(page, 'room.png');
    // The joins are signed API requests to `usher serve`, as a media plane sends them, not the browser's.
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    await call('POST', `/rooms/${meetingRoom}/call/participants?${VERSION}`, { id: CAROL });
    await expect.poll(() => textOf(table('Call').locator('tbody')), { timeout: 20_000 }).toContain(CAROL);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await textOf(table('Call').locator('tbody tr', { hasText: CAROL }))).toContain('Attendee');

    await call('DELETE', `/rooms/${meetingRoom}/call/participants/${encodeURIComponent(CAROL)}?${VERSION}`);
    await expect.poll(() => textOf(table('Call').locator('tbody')), { timeout: 20_000 }).not.toContain(CAROL);
  });

  it('verifies the whole log with a progress bar', async () => {
    await page.getByRole('link', { name: 'Log', exact: true }).click();
    await page.getByRole('button', { name: 'Verify the whole log' }).click();
    await expect.poll(() => textOf(page.locator('#verify-outcome')), { timeout: 30_000 }).toContain('checks out');
    expect(await textOf(page.locator('#verify-rooms'))).toBe('5');
    const progress = await page.locator('#verify-progress').evaluate((bar) => {
      const progress = bar as unknown as { value: number; max: number };
      return [progress.value, progress.max];
    });
    expect(progress[0]).toBe(progress[1]);
  });

  it('is readable at a phone width: nothing runs off the side of the page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/', `/rooms/${meetingRoom}`, '/log']) {
      await page.goto(new URL(path, consoleUrl).toString());
      const [scrollWidth, innerWidth] = await page.evaluate(() => {
        const view = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
        return [view.document.documentElement.scrollWidth, view.innerWidth];
      });
      expect(scrollWidth, path).toBeLessThanOrEqual(innerWidth);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('asked nothing of any address but its own, and logged no error', () => {
    const origin = new URL(consoleUrl).origin;
    expect(new URL(consoleUrl).hostname).toBe('127.0.0.1');
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

/** What a part of the page says (the DOM's text: the test's types have no DOM). */
async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  if (SCREENSHOTS === null) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage });
}
