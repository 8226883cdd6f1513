/**
 * The whole path in real Chromium: two browser profiles with the built extension are
 * two users on the same local page. A's cursor and A's note reach B through the server.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { centre, wordBox } from './support/page-text.js';
import { shareWithPopup } from './support/sharing.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';
import { cursorOf, overlay } from './support/overlay-probe.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let bob: BrowserUser;
let alicePage: Page;
let bobPage: Page;

/** Turns sharing on through the popup, optionally saving a screenshot of it, and returns to the page. */
async function joinWithPopup(user: BrowserUser, page: Page, name: string, shot?: string): Promise<void> {
  const popup = await shareWithPopup(user, page, server.url, name);
  if (shot) await popup.screenshot({ path: `${SCREENSHOTS}/${shot}` });
  await popup.close();
  await page.bringToFront();
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  [alice, bob] = await Promise.all([launchUser('alice'), launchUser('bob')]);
  alicePage = await alice.context.newPage();
  bobPage = await bob.context.newPage();
  await Promise.all([alicePage.goto(`${pages.url}/article.html`), bobPage.goto(`${pages.url}/article.html`)]);
  await joinWithPopup(alice, alicePage, 'Alice');
  await joinWithPopup(bob, bobPage, 'Bob', 'popup.png');
});

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await pages?.close();
  await server?.dispose();
});

describe('walking skeleton', () => {
  it("shows Alice's cursor, labelled with her name, on the word she points at in Bob's page", async () => {
    const target = centre(await wordBox(alicePage, '#p1', 'ledger'));
    await alicePage.mouse.move(target.x - 120, target.y - 60);
    await alicePage.mouse.move(target.x, target.y, { steps: 12 });

    const cursor = cursorOf(bobPage, 'Alice');
    await cursor.waitFor({ state: 'visible' });
    await expect.poll(() => cursor.textContent()).toContain('Alice');

    // Bob's window has the same size, so the word is at the same place; the arrow's tip is the cursor's origin.
    const expected = centre(await wordBox(bobPage, '#p1', 'ledger'));
    await expect
      .poll(async () => {
        const box = await cursor.boundingBox();
        return box ? Math.hypot(box.x - expected.x, box.y - expected.y) : Infinity;
      })
      .toBeLessThan(12);
    await bobPage.screenshot({ path: `${SCREENSHOTS}/remote-cursor.png` });

    // Alice never sees her own cursor.
    expect(await cursorOf(alicePage, 'Alice').count()).toBe(0);
  });

  it('delivers a note made through the page UI to Bob, and it is still there after he reloads', async () => {
    const word = centre(await wordBox(alicePage, '#p2', 'headland'));
    await alicePage.mouse.dblclick(word.x, word.y);
    expect(await alicePage.evaluate(() => String(getSelection()))).toBe('headland');

    await overlay(alicePage).locator('[data-collab-add-note]').click();
    await overlay(alicePage).locator('[data-collab-note-input]').fill('Which headland is this?');
    await overlay(alicePage).locator('[data-collab-note-save]').click();

    const aliceCard = overlay(alicePage).locator('[data-note-id]').filter({ hasText: 'Which headland' });
    await aliceCard.waitFor();
    const noteId = await aliceCard.getAttribute('data-note-id');
    expect(noteId).toBeTruthy();

    const bobCard = overlay(bobPage).locator(`[data-note-id="${noteId}"]`);
    await bobCard.waitFor();
    await expect.poll(() => bobCard.textContent()).toContain('Which headland is this?');
    await expect.poll(() => bobCard.textContent()).toContain('Alice');
    await bobPage.screenshot({ path: `${SCREENSHOTS}/note.png` });

    await bobPage.reload();
    await overlay(bobPage).locator(`[data-note-id="${noteId}"]`).waitFor();
    expect(await overlay(bobPage).locator('[data-note-id]').count()).toBe(1);
  });
});
