/**
 * One Firefox "user" for e2e tests: Debian's Firefox ESR, headless, driven by puppeteer-core
 * over WebDriver BiDi (no browser download), with the Firefox build from dist-firefox/
 * installed as a temporary add-on (BiDi `webExtension.install`). The Chromium
 * counterpart is browser-user.ts; the popup and note steps mirror sharing.ts and notes-ui.ts.
 */
import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { GECKO_ID } from '../../../scripts/firefox-manifest.js';
import { until } from '../../support/wait.js';
import { POPUP_PATH } from './browser-user.js';
import { bidiOf, firefoxOverlay } from './firefox-overlay.js';
import { centre, wordBoxInPage } from './page-text.js';

export const DIST_FIREFOX = resolve(import.meta.dirname, '../../../dist-firefox');
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** Fixed so the test knows the popup's address: moz-extension://<uuid>/… (random otherwise). */
const EXTENSION_UUID = '6f1c1e3a-5b0d-4c8e-9a57-c0be5e9ce000';

export interface FirefoxUser {
  browser: Browser;
  /** Opens the popup in a normal tab, aimed at the tab that shows `page`. */
  openPopup(page: Page): Promise<Page>;
  close(): Promise<void>;
}

/** `prefs` are more Firefox preferences (about:config), e.g. a shorter background idle timeout. */
export async function launchFirefoxUser(prefs: Record<string, unknown> = {}): Promise<FirefoxUser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: { width: 1280, height: 800 },
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: EXTENSION_UUID }),
      // Grants permissions.request without the doorhanger no automation can click.
      'extensions.webextOptionalPermissionPrompts': false,
      ...prefs,
    },
  });
  await browser.installExtension(DIST_FIREFOX);
  const base = `moz-extension://${EXTENSION_UUID}/${POPUP_PATH}`;

  /**
   * Navigates over BiDi: the switch into the extension's process makes puppeteer's
   * `page.goto` report the frame detached, though the browsing context carries on.
   */
  const navigate = async (page: Page, url: string): Promise<void> => {
    const { send, context } = bidiOf(page);
    await send('browsingContext.navigate', { context, url, wait: 'complete' });
  };

  return {
    browser,
    async openPopup(page) {
      const popup = await browser.newPage();
      await navigate(popup, base);
      const tabId = await popup.evaluate(async (target) => {
        const tabs = await (globalThis as unknown as ExtensionPage).browser.tabs.query({});
        return tabs.find((t) => t.url === target)?.id ?? null;
      }, page.url());
      if (tabId === null) throw new Error(`no tab shows ${page.url()}`);
      await navigate(popup, `${base}?tab=${tabId}`);
      return popup;
    },
    close: () => browser.close(),
  };
}

/** The extension API as the popup page sees it (Firefox's own `browser` global). */
interface ExtensionPage {
  browser: { tabs: { query(q: object): Promise<Array<{ id?: number; url?: string }>> } };
}

/** Replaces a field's value by typing, then Enter (saves without waiting for the pause). */
async function typeInto(popup: Page, selector: string, text: string): Promise<void> {
  const field = await popup.$(selector);
  if (!field) throw new Error(`no ${selector} in the popup`);
  await field.click({ count: 3 });
  await field.type(text);
  await popup.keyboard.press('Enter');
  await field.dispose();
}

/**
 * Like sharing.ts's shareWithPopup: sets server and name in the popup, switches sharing on
 * for the page's site and waits until connected, then closes the popup and waits for the
 * page's overlay to show the session. With `screenshot`, saves the popup there first.
 */
export async function shareWithFirefoxPopup(
  user: FirefoxUser,
  page: Page,
  serverUrl: string,
  name: string,
  screenshot?: string,
): Promise<void> {
  const popup = await user.openPopup(page);
  await typeInto(popup, '#server-url', serverUrl);
  await typeInto(popup, '#name', name);
  await popup.click('#sharing-toggle');
  // The popup is an extension page: puppeteer's own waits run in a realm Firefox does not give it.
  await until(
    () =>
      popup.evaluate(
        (who) =>
          document.querySelector('#status')?.textContent === 'Connected' &&
          [...document.querySelectorAll('#peers li')].some((li) => li.textContent?.includes(who)),
        name,
      ),
    15_000,
    `${name}'s popup connected`,
  );
  if (screenshot) await (await popup.$('main'))?.screenshot({ path: screenshot });
  await popup.close();
  await page.bringToFront();
  await firefoxOverlay(page).locator('[data-collab-notes-toggle]').waitFor();
}

/** Selects `word` by double-clicking it and adds a note with `body` through the overlay. */
export async function addFirefoxNote(
  page: Page,
  selector: string,
  word: string,
  body: string,
): Promise<void> {
  const at = centre(await page.evaluate(wordBoxInPage, [selector, word] as const));
  await page.mouse.click(at.x, at.y, { count: 2 });
  await firefoxOverlay(page).locator('[data-collab-add-note]').click();
  await firefoxOverlay(page).locator('[data-collab-note-input]').fill(body);
  await firefoxOverlay(page).locator('[data-collab-note-save]').click();
}
