/**
 * One "user" for e2e tests: a real Chromium profile with the built extension loaded,
 * driven by playwright-core against Debian's Chromium (never a downloaded browser).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';

export const DIST = resolve(import.meta.dirname, '../../../dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserUser {
  context: BrowserContext;
  extensionId: string;
  /** The extension's service worker as it is now (it may have been restarted since launch). */
  worker(): Promise<Worker>;
  /** Opens the popup in a normal tab, aimed at the tab that shows `page`. */
  openPopup(page: Page): Promise<Page>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /**
   * The browser's UI language (`ko`): `--lang` and the environment's LANGUAGE/LANG, which
   * Chromium on Linux reads for it. Unset, the machine's (English here).
   */
  lang?: string;
  /** More Chromium switches (`--enable-caret-browsing`). */
  args?: readonly string[];
  /** The unpacked extension to load: dist/ unless a test builds a variant of it. */
  extensionDir?: string;
}

/** Launches a fresh profile with the unpacked extension from dist/. */
export async function launchUser(
  label: string,
  viewport = { width: 1280, height: 800 },
  options: LaunchOptions = {},
): Promise<BrowserUser> {
  const { lang, extensionDir = DIST } = options;
  const home = mkdtempSync(join(tmpdir(), `collab-e2e-${label}-`));
  const context = await chromium.launchPersistentContext(join(home, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      ...(lang ? { LANGUAGE: lang, LANG: `${lang}.UTF-8` } : {}),
    },
    args: [
      '--no-sandbox',
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      // Background tabs keep animating, so a page behind the popup tab still sends frames.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      ...(lang ? [`--lang=${lang}`] : []),
      ...(options.args ?? []),
    ],
  });
  // Real pages reference remote scripts, fonts and images; this machine has no internet,
  // and a request left hanging would hold up the load event. Only loopback is served.
  await context.route(
    (url) => url.hostname !== 'localhost' && url.hostname !== '127.0.0.1' && url.protocol.startsWith('http'),
    (route) => route.abort('internetdisconnected'),
  );
  const first = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(first.url()).host;
  await preApproveSites(context, extensionId);

  const worker = async (): Promise<Worker> => {
    const live = context
      .serviceWorkers()
      .find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
    return live ?? (await context.waitForEvent('serviceworker'));
  };

  return {
    context,
    extensionId,
    worker,
    async openPopup(page) {
      const url = page.url();
      const tabId = await (
        await worker()
      ).evaluate(async (target) => {
        const tabs = await chrome.tabs.query({});
        return tabs.find((t) => t.url === target)?.id ?? null;
      }, url);
      if (tabId === null) throw new Error(`no tab shows ${url}`);
      const popup = await context.newPage();
      await popup.setViewportSize({ width: 360, height: 560 });
      await popup.goto(`chrome-extension://${extensionId}/${POPUP_PATH}?tab=${tabId}`);
      return popup;
    },
    async close() {
      await context.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Lets the popup's `permissions.request` be answered without a dialog. Headless Chromium
 * shows the permission dialog but nothing can click it (it is browser UI, out of reach of
 * CDP), and `--apps-gallery-install-auto-confirm-for-tests` no longer reaches it (only a
 * test-binary global does). What chrome://extensions calls when the user adds a site under
 * the extension's site access (`developerPrivate.addHostPermission`) records the sites as
 * granted by the user without making them active: the extension still has no site
 * (`permissions.getAll()` is empty) until the popup requests one, and then Chrome grants it
 * without asking again, as it does for a permission the user gave before.
 */
async function preApproveSites(context: BrowserContext, extensionId: string): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto('chrome://extensions');
    await page.evaluate(async (id) => {
      const api = (
        globalThis as unknown as {
          chrome: { developerPrivate: { addHostPermission(id: string, host: string): Promise<void> } };
        }
      ).chrome.developerPrivate;
      for (const host of ['http://*/*', 'https://*/*']) await api.addHostPermission(id, host);
    }, extensionId);
  } finally {
    await page.close();
  }
}

/** Where crxjs puts the popup inside dist/ (it keeps the source path). */
export const POPUP_PATH = 'extension/popup/index.html';

declare const chrome: {
  tabs: { query(q: object): Promise<Array<{ id?: number; url?: string }>> };
};
