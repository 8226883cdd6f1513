/**
 * Least privilege at the browser seam: the worker registers our content scripts for exactly
 * the granted sites (stable ids, key shield at document_start before the overlay at
 * document_idle), injects them into a newly granted site's open tabs, neither loses nor
 * doubles them when a new worker starts, and stops sharing where a grant is removed. A site
 * switched on while the browser still asks the user keeps its switch and shares once granted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PopupApi } from '../../../extension/background/popup-api.js';
import { SettingsStore } from '../../../extension/background/settings.js';
import { SCRIPT_IDS } from '../../../extension/background/site-access.js';
import { createWorker, type BackgroundWorker } from '../../../extension/background/worker.js';
import type { ChromeApi } from '../../../extension/chrome-api.js';
import { covers, coversAllSites, sitePattern } from '../../../extension/shared/site-patterns.js';
import type { WorkerToContent } from '../../../extension/shared/messages.js';
import {
  FakeBrowserAccess,
  fakeChromeApi,
  FakeTab,
  isActive,
  TEST_FILES,
} from '../../support/fake-extension.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const ORIGIN = 'http://localhost:4173';
const PAGE = `${ORIGIN}/article.html`;
const ELSEWHERE = 'https://example.org/news';
const SITE = 'http://localhost/*';

let server: TestServer | null = null;
const workers: BackgroundWorker[] = [];
const tabs: FakeTab[] = [];

afterEach(async () => {
  for (const tab of tabs.splice(0)) tab.close();
  for (const worker of workers.splice(0)) worker.connection.close();
  await server?.dispose();
  server = null;
});

/** A worker as index.ts wires it: permission events resync, start() reconciles. */
async function startWorker(api: ChromeApi, access: FakeBrowserAccess, serverUrl = 'http://127.0.0.1:9') {
  const settings = new SettingsStore(api);
  await settings.update({ serverUrl, name: 'Tester' });
  const worker = createWorker(api, settings, () => undefined, TEST_FILES);
  workers.push(worker);
  access.onChange = () => worker.grantsChanged();
  await worker.start();
  return { worker, settings, popup: new PopupApi(api, settings, worker) };
}

function openTab(worker: BackgroundWorker, id: number, url: string): FakeTab {
  const tab = new FakeTab(id, url);
  tabs.push(tab);
  worker.tabs.handlePort(tab);
  tab.send({ type: 'hello', url });
  return tab;
}

const isRevoked = (m: WorkerToContent): m is Extract<WorkerToContent, { type: 'session' }> =>
  m.type === 'session' && !m.active && m.reason === 'revoked';

describe('site patterns', () => {
  it('grant a scheme and host, any port; "all sites" is both wildcards, not a host that happens to match', () => {
    expect(sitePattern('http://localhost:4173')).toBe('http://localhost/*');
    expect(sitePattern('https://example.org')).toBe('https://example.org/*');
    expect(covers([SITE], 'http://localhost:9999/x')).toBe(true);
    expect(covers([SITE], 'https://localhost/x')).toBe(false);
    expect(covers([SITE], 'http://127.0.0.1:4173/')).toBe(false);
    expect(covers(['https://*.example.org/*'], 'https://news.example.org/a')).toBe(true);
    expect(covers(['https://*.example.org/*'], 'https://badexample.org/a')).toBe(false);
    expect(covers(['http://*/*'], 'chrome://extensions')).toBe(false);
    expect(coversAllSites(['http://*/*', 'https://*/*'])).toBe(true);
    expect(coversAllSites(['http://*/*'])).toBe(false);
    expect(coversAllSites(['*://*.invalid/*'])).toBe(false);
  });
});

describe('site access', () => {
  it('registers nothing, hides "Add note here" and lets its shortcut do nothing until a site is granted', async () => {
    const access = new FakeBrowserAccess([]);
    const { worker } = await startWorker(fakeChromeApi(new Map([[1, PAGE]])), access);
    expect([...access.scripts.values()]).toEqual([]);
    expect(access.menuPatterns).toEqual([]);
    expect(access.injected).toEqual([]);
    // The Alt+Shift+N shortcut works on every page: where no script of ours listens it does nothing.
    expect(() => worker.tabs.composePoint(1)).not.toThrow();
    expect(access.injected).toEqual([]);
  });

  it('registers both scripts for exactly the granted site and injects them, in order, into its open tabs only', async () => {
    const access = new FakeBrowserAccess([]);
    access.openTabs = [
      { id: 1, url: PAGE },
      { id: 2, url: ELSEWHERE },
      { id: 3, url: 'http://localhost:5000/other' },
    ];
    const api = fakeChromeApi(new Map(), access);
    await startWorker(api, access);
    await access.grantAndSettle([SITE]);

    expect([...access.scripts.values()]).toEqual([
      { id: SCRIPT_IDS.keyShield, js: [TEST_FILES.keyShield], matches: [SITE], runAt: 'document_start' },
      { id: SCRIPT_IDS.overlay, js: [TEST_FILES.overlay], matches: [SITE], runAt: 'document_idle' },
    ]);
    expect(access.menuPatterns).toEqual([SITE]);
    const into = (tabId: number) => access.injected.filter((i) => i.tabId === tabId).map((i) => i.file);
    expect(into(1)).toEqual([TEST_FILES.keyShield, TEST_FILES.overlay]);
    expect(into(3)).toEqual([TEST_FILES.keyShield, TEST_FILES.overlay]);
    expect(into(2)).toEqual([]);
  });

  it('a new worker (restart, browser update) neither loses, doubles nor re-injects the scripts', async () => {
    const access = new FakeBrowserAccess([]);
    access.openTabs = [{ id: 1, url: PAGE }];
    const api = fakeChromeApi(new Map(), access);
    await startWorker(api, access);
    await access.grantAndSettle([SITE]);
    const injected = access.injected.length;
    // An extension update renames the built files: the registration follows them.
    await startWorker(api, access);
    await startWorker(api, access);
    expect([...access.scripts.keys()]).toEqual([SCRIPT_IDS.keyShield, SCRIPT_IDS.overlay]);
    expect(access.injected.length).toBe(injected);
    // After a browser restart (storage.session empty) the open tabs loaded with the registered scripts.
    await startWorker(fakeChromeApi(new Map(), access), access);
    expect(access.injected.length).toBe(injected);
    access.scripts.set('left-over', {
      id: 'left-over',
      js: ['old.js'],
      matches: [SITE],
      runAt: 'document_idle',
    });
    await startWorker(api, access);
    expect([...access.scripts.keys()]).toEqual([SCRIPT_IDS.keyShield, SCRIPT_IDS.overlay]);
  });

  it('a worker woken by the grant (the last one asleep) still injects into the new site’s open tabs', async () => {
    const access = new FakeBrowserAccess([]);
    access.openTabs = [{ id: 1, url: PAGE }];
    const api = fakeChromeApi(new Map(), access);
    await startWorker(api, access);
    // Granted while no worker runs: the event wakes a new one, whose start() syncs first.
    access.granted.add(SITE);
    await startWorker(api, access);
    expect(access.injected).toEqual([
      { tabId: 1, file: TEST_FILES.keyShield },
      { tabId: 1, file: TEST_FILES.overlay },
    ]);
  });

  it('follows "all sites": registered everywhere, and narrowed again when it is given back', async () => {
    const access = new FakeBrowserAccess([SITE]);
    access.openTabs = [
      { id: 1, url: PAGE },
      { id: 2, url: ELSEWHERE },
    ];
    const api = fakeChromeApi(new Map([[1, PAGE]]), access);
    const { popup } = await startWorker(api, access);
    await access.grantAndSettle(['http://*/*', 'https://*/*']);
    expect(access.scripts.get(SCRIPT_IDS.overlay)?.matches).toEqual([
      'http://*/*',
      'http://localhost/*',
      'https://*/*',
    ]);
    // Tab 1's site had the scripts already: only the newly covered tab gets them.
    expect(access.injected.map((i) => i.tabId)).toEqual([2, 2]);
    await popup.handle({ type: 'popup:set-all-sites', tabId: 1, enabled: true });
    expect((await popup.stateFor(1)).allSites).toBe(true);
    await popup.handle({ type: 'popup:set-all-sites', tabId: 1, enabled: false });
    await access.settled();
    expect([...access.granted]).toEqual([SITE]);
    expect(access.scripts.get(SCRIPT_IDS.overlay)?.matches).toEqual([SITE]);
  });

  it('stops sharing where the grant is removed: the tab leaves its room and takes its overlay off', async () => {
    server = await startTestServer();
    const access = new FakeBrowserAccess([SITE]);
    const api = fakeChromeApi(new Map([[1, PAGE]]), access);
    const { worker, popup, settings } = await startWorker(api, access, server.url);
    await popup.handle({ type: 'popup:set-sharing', tabId: 1, enabled: true });
    const tab = openTab(worker, 1, PAGE);
    await tab.next(isActive);

    // As the browser's settings for the extension would: the site removed.
    await access.revokeAndSettle([SITE]);
    await tab.next(isRevoked);
    expect((await settings.load()).enabledSites).toEqual([]);
    expect([...access.scripts.values()]).toEqual([]);
    expect(access.menuPatterns).toEqual([]);
    expect((await popup.stateFor(1)).status).toBe('off');
  });

  it('tells a script left on a site that is no longer granted to go, when it says hello', async () => {
    const access = new FakeBrowserAccess([]);
    const { worker } = await startWorker(fakeChromeApi(new Map([[1, PAGE]]), access), access);
    const tab = openTab(worker, 1, PAGE);
    await tab.next(isRevoked);
  });

  it('a site switched on while the browser asks keeps its switch, waits, and shares once granted', async () => {
    server = await startTestServer();
    const access = new FakeBrowserAccess([]);
    access.openTabs = [{ id: 1, url: PAGE }];
    const api = fakeChromeApi(new Map([[1, PAGE]]), access);
    const { worker, popup, settings } = await startWorker(api, access, server.url);
    await popup.handle({ type: 'popup:set-sharing', tabId: 1, enabled: true });
    expect((await popup.stateFor(1)).status).toBe('access');

    await access.grantAndSettle([SITE]);
    expect(access.injected.map((i) => i.tabId)).toEqual([1, 1]);
    // The injected script connects and says hello: it shares.
    const tab = openTab(worker, 1, PAGE);
    await tab.next(isActive);
    expect((await settings.load()).enabledSites).toEqual([ORIGIN]);

    // Switched off: the grant goes back, so no script of ours stays on the site.
    await popup.handle({ type: 'popup:set-sharing', tabId: 1, enabled: false });
    await access.settled();
    expect([...access.granted]).toEqual([]);
    expect([...access.scripts.values()]).toEqual([]);
  });
});
