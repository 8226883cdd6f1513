/**
 * Least privilege (issue 14), in real Chromium with the built extension: at install it has
 * no site; a page the user has not opted in has no script of ours (no overlay host, no
 * isolated world of the extension, nothing registered); switching sharing on in the popup
 * requests the site from that click, injects into the tab already open (no reload) and
 * shares (the other user sees the cursor); removing the site the way the browser's settings
 * do takes the overlay off, takes the user out of the room and keeps the script off the page
 * after a reload; "Share on all sites" grants and shares a second origin, and gives it back.
 *
 * The permission dialog itself cannot be clicked in headless Chromium; browser-user.ts
 * pre-approves sites the way chrome://extensions does, so `permissions.request` is answered
 * yes without a dialog while the extension still holds no site until it asks.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUser, POPUP_PATH, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { cursorOf, overlay } from './support/overlay-probe.js';
import { shareWithPopup } from './support/sharing.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let bob: BrowserUser;
let alicePage: Page;
let bobPage: Page;
/** The same pages on a second origin (another host). */
let otherBase: string;

declare const chrome: {
  permissions: {
    getAll(): Promise<{ origins?: string[] }>;
    remove(p: { origins: string[] }): Promise<boolean>;
  };
  scripting: { getRegisteredContentScripts(): Promise<Array<{ id: string; matches?: string[] }>> };
};

/** What the extension holds now, read in its service worker. */
async function holdings(user: BrowserUser): Promise<{ origins: string[]; scripts: string[] }> {
  return (await user.worker()).evaluate(async () => ({
    origins: ((await chrome.permissions.getAll()).origins ?? []).sort(),
    scripts: (await chrome.scripting.getRegisteredContentScripts())
      .map((s) => `${s.id} ${(s.matches ?? []).join(',')}`)
      .sort(),
  }));
}

/**
 * The JavaScript worlds of the extension in the page's main frame, as DevTools lists them,
 * each with whether our scripts ran in it (the key shield's global). A frame that once had our
 * world keeps an empty one across a reload (Blink re-creates a frame's isolated worlds for its
 * next document), so a reloaded page is judged by what ran, a new tab by the world itself.
 */
async function extensionWorlds(
  user: BrowserUser,
  page: Page,
): Promise<Array<{ name: string; ran: boolean }>> {
  const cdp = await user.context.newCDPSession(page);
  const found: Array<{ id: number; name: string }> = [];
  cdp.on(
    'Runtime.executionContextCreated',
    (event: { context: { id: number; origin: string; name: string } }) => {
      if (event.context.origin.includes(user.extensionId)) found.push(event.context);
    },
  );
  // Enabling reports every context that exists already, before it answers.
  await cdp.send('Runtime.enable');
  const worlds = [];
  for (const { id, name } of found) {
    const { result } = (await cdp.send('Runtime.evaluate', {
      contextId: id,
      expression: `'__copresenceKeyShield' in globalThis`,
      returnByValue: true,
    })) as { result: { value: boolean } };
    worlds.push({ name, ran: result.value });
  }
  await cdp.detach();
  return worlds;
}

const hasHost = (page: Page) =>
  page.evaluate(() => document.documentElement.querySelector(':scope > [data-collab-root]') !== null);

/** Our overlay went from `page`, and the one it shared the room with sees nobody else there. */
async function leftTheRoom(page: Page, other: Page): Promise<void> {
  await page.waitForFunction(
    () => document.documentElement.querySelector(':scope > [data-collab-root]') === null,
  );
  await overlay(other).locator('[data-collab-indicator]').filter({ hasText: 'nobody else here' }).waitFor();
}

/** Removes grants from an extension page, as the browser's settings for the extension do. */
async function removeInSettings(user: BrowserUser, origins: string[]): Promise<void> {
  const page = await user.context.newPage();
  await page.goto(`chrome-extension://${user.extensionId}/${POPUP_PATH}`);
  expect(await page.evaluate((o) => chrome.permissions.remove({ origins: o }), origins)).toBe(true);
  await page.close();
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  otherBase = pages.url.replace('localhost', '127.0.0.1');
  [alice, bob] = await Promise.all([launchUser('alice'), launchUser('bob')]);
  [alicePage, bobPage] = await Promise.all([alice.context.newPage(), bob.context.newPage()]);
  await Promise.all([alicePage.goto(`${pages.url}/article.html`), bobPage.goto(`${pages.url}/article.html`)]);
  await (await shareWithPopup(bob, bobPage, server.url, 'Bob')).close();
});

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await pages?.close();
  await server?.dispose();
});

describe('least privilege', () => {
  it('runs nothing on a site the user has not opted in, and the popup still offers it', async () => {
    expect(await holdings(alice)).toEqual({ origins: [], scripts: [] });
    expect(await hasHost(alicePage)).toBe(false);
    expect(await extensionWorlds(alice, alicePage)).toEqual([]);
    // The control: Bob opted in, and his page has our world, where the key shield ran, and host.
    expect(await extensionWorlds(bob, bobPage)).toEqual([{ name: 'Copresence', ran: true }]);
    expect(await hasHost(bobPage)).toBe(true);

    const popup = await alice.openPopup(alicePage);
    await popup.locator('#status').filter({ hasText: 'Off for this site' }).waitFor();
    expect(await popup.locator('#sharing-label').textContent()).toContain(new URL(pages.url).origin);
    expect(await popup.locator('#sharing-toggle').isEnabled()).toBe(true);
    expect(await popup.locator('#all-sites-toggle').isChecked()).toBe(false);
    await popup.close();
  });

  it('opting in through the popup grants the site, injects into the open tab without a reload, and shares', async () => {
    await alicePage.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
    const popup = await shareWithPopup(alice, alicePage, server.url, 'Alice');
    await popup.close();

    expect(await holdings(alice)).toEqual({
      origins: ['http://localhost/*'],
      scripts: ['copresence-key-shield http://localhost/*', 'copresence-overlay http://localhost/*'],
    });
    expect(await alicePage.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(
      true,
    );
    expect(await extensionWorlds(alice, alicePage)).toEqual([{ name: 'Copresence', ran: true }]);
    await alicePage.bringToFront();
    await overlay(alicePage).locator('[data-collab-indicator]').filter({ hasText: '1 other here' }).waitFor();
    await alicePage.mouse.move(300, 300);
    await alicePage.mouse.move(500, 420, { steps: 5 });
    await bobPage.bringToFront();
    await cursorOf(bobPage, 'Alice').waitFor();
  });

  it('removing the site in the browser takes the overlay off, leaves the room, and keeps the script off after a reload', async () => {
    await removeInSettings(alice, ['http://localhost/*']);
    await leftTheRoom(alicePage, bobPage);
    expect(await cursorOf(bobPage, 'Alice').count()).toBe(0);
    expect(await holdings(alice)).toEqual({ origins: [], scripts: [] });

    await alicePage.reload();
    expect(await hasHost(alicePage)).toBe(false);
    expect((await extensionWorlds(alice, alicePage)).filter((world) => world.ran)).toEqual([]);
    const fresh = await alice.context.newPage();
    await fresh.goto(`${pages.url}/article.html`);
    expect(await hasHost(fresh)).toBe(false);
    expect(await extensionWorlds(alice, fresh)).toEqual([]);
    await fresh.close();
    const popup = await alice.openPopup(alicePage);
    await popup.locator('#status').filter({ hasText: 'Off for this site' }).waitFor();
    expect(await popup.locator('#sharing-toggle').isChecked()).toBe(false);
    await popup.close();
  });

  it('"Share on all sites" grants every site and shares a second origin at once; off gives it back', async () => {
    const aliceOther = await alice.context.newPage();
    const bobOther = await bob.context.newPage();
    await Promise.all([
      aliceOther.goto(`${otherBase}/article.html`),
      bobOther.goto(`${otherBase}/article.html`),
    ]);
    await (await shareWithPopup(bob, bobOther, server.url, 'Bob')).close();
    expect(await hasHost(aliceOther)).toBe(false);

    const popup = await alice.openPopup(aliceOther);
    await popup.locator('#all-sites-toggle').check();
    await popup
      .locator('#status')
      .filter({ hasText: /^Connected$/ })
      .waitFor();
    expect(await popup.locator('#sharing-toggle').isChecked()).toBe(true);
    expect(await popup.locator('#sharing-toggle').isDisabled()).toBe(true);
    await popup.screenshot({ path: `${SCREENSHOTS}/popup-all-sites.png`, fullPage: true });
    expect((await holdings(alice)).origins).toEqual(['http://*/*', 'https://*/*']);

    await aliceOther.bringToFront();
    await aliceOther.mouse.move(200, 200);
    await aliceOther.mouse.move(450, 380, { steps: 5 });
    await bobOther.bringToFront();
    await cursorOf(bobOther, 'Alice').waitFor();

    await popup.locator('#all-sites-toggle').uncheck();
    await popup.locator('#status').filter({ hasText: 'Off for this site' }).waitFor();
    expect(await holdings(alice)).toEqual({ origins: [], scripts: [] });
    await leftTheRoom(aliceOther, bobOther);
    await popup.close();
  });
});
