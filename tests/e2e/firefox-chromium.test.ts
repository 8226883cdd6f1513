/**
 * Firefox and Chromium in one room: Alice in Chromium (the Chrome build, dist/) and Fox in
 * Firefox ESR (the Firefox build, dist-firefox/), on the same page and server. Each opts
 * in through their popup like a user, and each sees the other's cursor and note.
 */
import { resolve } from 'node:path';
import type { Page as ChromiumPage } from 'playwright-core';
import type { Page as FirefoxPage } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { firefoxCursorOf, firefoxOverlay } from './support/firefox-overlay.js';
import {
  addFirefoxNote,
  launchFirefoxUser,
  shareWithFirefoxPopup,
  type FirefoxUser,
} from './support/firefox-user.js';
import { addNote, cardWith, joinWithPopup } from './support/notes-ui.js';
import { cursorOf } from './support/overlay-probe.js';
import { centre, wordBox, wordBoxInPage, type Box } from './support/page-text.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let fox: FirefoxUser;
let alicePage: ChromiumPage;
let foxPage: FirefoxPage;

beforeAll(async () => {
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  [alice, fox] = await Promise.all([launchUser('alice'), launchFirefoxUser()]);
  alicePage = await alice.context.newPage();
  foxPage = await fox.browser.newPage();
  await Promise.all([alicePage.goto(`${pages.url}/article.html`), foxPage.goto(`${pages.url}/article.html`)]);
  await joinWithPopup(alice, alicePage, server.url, 'Alice');
  await shareWithFirefoxPopup(fox, foxPage, server.url, 'Fox', `${SCREENSHOTS}/firefox-popup.png`);
});

afterAll(async () => {
  await Promise.all([alice?.close(), fox?.close()]);
  await pages?.close();
  await server?.dispose();
});

/** What the two drivers' mice and the two overlay locators have in common. */
interface Mouse {
  move(x: number, y: number, options?: { steps?: number }): Promise<void>;
}
interface Cursor {
  waitFor(options: { state: 'visible' }): Promise<void>;
  textContent(): Promise<string>;
  boundingBox(): Promise<Box | null>;
}

/**
 * Moves `mouse` onto the word whose box is `from` and expects the other user's `cursor`,
 * labelled `name`, on that word in their page (`to`; same window size, so the same place).
 */
async function expectCursorOnWord(
  mouse: Mouse,
  from: Box,
  cursor: Cursor,
  name: string,
  to: Box,
): Promise<void> {
  const target = centre(from);
  await mouse.move(target.x - 120, target.y - 60);
  await mouse.move(target.x, target.y, { steps: 12 });
  await cursor.waitFor({ state: 'visible' });
  expect(await cursor.textContent()).toContain(name);
  // The arrow's tip is the cursor's origin.
  const expected = centre(to);
  await expect
    .poll(async () => {
      const box = await cursor.boundingBox();
      return box ? Math.hypot(box.x - expected.x, box.y - expected.y) : Infinity;
    })
    .toBeLessThan(12);
}

const foxWordBox = (selector: string, word: string) =>
  foxPage.evaluate(wordBoxInPage, [selector, word] as const);

describe('Firefox and Chromium on the same page', () => {
  it("Fox in Firefox sees Alice's cursor on the word she points at in Chromium", async () => {
    await expectCursorOnWord(
      alicePage.mouse,
      await wordBox(alicePage, '#p1', 'ledger'),
      firefoxCursorOf(foxPage, 'Alice'),
      'Alice',
      await foxWordBox('#p1', 'ledger'),
    );
  });

  it("Alice in Chromium sees Fox's cursor on the word he points at in Firefox", async () => {
    await expectCursorOnWord(
      foxPage.mouse,
      await foxWordBox('#p2', 'horns'),
      cursorOf(alicePage, 'Fox'),
      'Fox',
      await wordBox(alicePage, '#p2', 'horns'),
    );
  });

  it("each sees the note the other made, on the other's words; Firefox's page never sees the keys", async () => {
    await addNote(alicePage, '#p2', 'headland', 'Written in Chromium');
    // The page's own listener, added as a page script would: it must not see the keys typed in the note.
    await foxPage.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { keysSeen: seen });
      window.addEventListener('keydown', (event) => seen.push(event.key), true);
    });
    await addFirefoxNote(foxPage, '#p1', 'keeper', 'Written in Firefox');

    await firefoxOverlay(foxPage)
      .locator('article.card[data-note-id]')
      .filter({ hasText: 'Written in Chromium' })
      .waitFor();
    await cardWith(alicePage, 'Written in Firefox').waitFor();
    expect(await foxPage.evaluate(() => (window as unknown as { keysSeen: string[] }).keysSeen)).toEqual([]);
    await foxPage.screenshot({ path: `${SCREENSHOTS}/firefox-note.png` });
    await alicePage.screenshot({ path: `${SCREENSHOTS}/chromium-note-from-firefox.png` });
  });
});
