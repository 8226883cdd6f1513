/**
 * The one thin seam over `browser.*` (webextension-polyfill). Every other module in
 * extension/ reaches the browser through a {@link ChromeApi}, so unit tests can hand
 * in a fake. Only the entry points (background/index.ts, content/index.ts,
 * popup/index.ts) import {@link createChromeApi}; everything else imports types only,
 * which keeps the polyfill (it throws outside an extension) out of unit tests.
 */
import browser from 'webextension-polyfill';
import { t, useMessages } from './shared/i18n.js';

/** A `runtime.Port`, reduced to what we use. */
export interface PortLike {
  readonly name: string;
  readonly sender?: { tab?: { id?: number; url?: string } };
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

/** One storage area (`storage.local` or `storage.session`). */
export interface StorageAreaLike {
  get(keys: string | string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/** What we read of a tab. */
export interface TabInfo {
  id?: number;
  url?: string;
  active?: boolean;
  windowId?: number;
}

export type StorageChanges = Record<string, { oldValue?: unknown; newValue?: unknown }>;

/** A content script registered with `scripting.registerContentScripts`. */
export interface RegisteredScript {
  id: string;
  js: string[];
  matches: string[];
  runAt: 'document_start' | 'document_idle';
}

/**
 * The optional host permissions (manifest `optional_host_permissions`) the user granted, as
 * match patterns. `request` must be called from a click (a user gesture), before any await.
 */
export interface HostsApi {
  granted(): Promise<string[]>;
  request(patterns: string[]): Promise<boolean>;
  remove(patterns: string[]): Promise<boolean>;
  /** Granted or removed by us or in the browser's settings for the extension. */
  onAdded(listener: (patterns: string[]) => void): void;
  onRemoved(listener: (patterns: string[]) => void): void;
}

/** Content scripts registered at run time, and injecting one into an open tab. */
export interface ScriptsApi {
  registered(): Promise<RegisteredScript[]>;
  /** Registered in order, top frame only, kept across browser restarts. */
  register(scripts: RegisteredScript[]): Promise<void>;
  update(scripts: RegisteredScript[]): Promise<void>;
  unregister(ids: string[]): Promise<void>;
  /** `scripting.executeScript` of one file into a tab's top frame. */
  inject(tabId: number, file: string): Promise<void>;
}

/** Everything the extension needs from the browser. */
export interface ChromeApi {
  storageLocal: StorageAreaLike;
  storageSession: StorageAreaLike;
  onStorageChanged(listener: (changes: StorageChanges, area: string) => void): void;
  /** Opens a port to the service worker (content script side). */
  connect(name: string): PortLike;
  /** Ports opened by content scripts (service worker side). */
  onConnect(listener: (port: PortLike) => void): void;
  /** `runtime.sendMessage`; resolves with the answer. */
  sendMessage(message: unknown): Promise<unknown>;
  /** `runtime.onMessage`; return a promise to answer, `undefined` to let others answer. */
  onMessage(listener: (message: unknown) => Promise<unknown> | undefined): void;
  queryTabs(query: { active?: boolean; currentWindow?: boolean; url?: string[] }): Promise<TabInfo[]>;
  getTab(tabId: number): Promise<TabInfo | null>;
  onTabRemoved(listener: (tabId: number) => void): void;
  onTabActivated(listener: (tabId: number) => void): void;
  setBadge(tabId: number, text: string, color: string): Promise<void>;
  /** False once the extension was reloaded or removed under a running content script. */
  isContextValid(): boolean;
  /**
   * Puts "Add note here" in the page's context menu and listens to it and to the
   * `add-note-here` keyboard command (manifest `commands`); the listener gets the tab.
   */
  onAddNoteHere(listener: (tabId: number) => void): void;
  /**
   * Counts as activity for the browser's idle timer of the background. Firefox suspends an
   * idle event page after 30 s even while its WebSocket is open (Chrome counts WebSocket
   * traffic, Firefox does not), and any extension API call resets that timer.
   */
  keepBackgroundAwake(): void;
  /** `runtime.onInstalled` (install, extension update, browser update): wakes the worker. */
  onInstalled(listener: () => void): void;
  /**
   * Switches a repeating alarm on or off that wakes a stopped worker while notes wait to be
   * sent: the browser stops an idle worker, and with no page of a shared site open nothing
   * else would wake it to deliver them.
   */
  setWakeAlarm(on: boolean): void;
  /** The wake alarm went off (the worker is awake now, which is all it is for). */
  onWakeAlarm(listener: () => void): void;
  /** Shows "Add note here" on pages these patterns match only (none: hidden everywhere). */
  showAddNoteHereOn(patterns: string[]): Promise<void>;
  hosts: HostsApi;
  scripts: ScriptsApi;
}

const ADD_NOTE_HERE = 'add-note-here';
const WAKE_ALARM = 'outbox-wake';
/** Chrome's shortest alarm period (since 120): a waiting note is retried at most 30 s late. */
const WAKE_MINUTES = 0.5;

/** Top frame only, as the manifest's scripts were; kept across browser restarts. */
const topFrameKept = (script: RegisteredScript) => ({
  ...script,
  allFrames: false,
  persistAcrossSessions: true,
});

/** The real implementation over webextension-polyfill. */
export function createChromeApi(): ChromeApi {
  // Every entry point builds its api first, so every t() after this speaks the browser's language.
  useMessages(
    (key, substitutions) => browser.i18n.getMessage(key, substitutions),
    browser.i18n.getUILanguage(),
  );
  // Updates to the menu wait for its creation (onAddNoteHere), which a new worker redoes.
  let menu: Promise<unknown> = Promise.resolve();
  return {
    storageLocal: browser.storage.local,
    storageSession: browser.storage.session,
    onStorageChanged: (listener) => browser.storage.onChanged.addListener(listener),
    connect: (name) => browser.runtime.connect({ name }),
    onConnect: (listener) => browser.runtime.onConnect.addListener(listener),
    sendMessage: (message) => browser.runtime.sendMessage(message),
    onMessage: (listener) => browser.runtime.onMessage.addListener((message: unknown) => listener(message)),
    queryTabs: (query) => browser.tabs.query(query),
    getTab: async (tabId) => {
      try {
        return await browser.tabs.get(tabId);
      } catch {
        return null;
      }
    },
    onTabRemoved: (listener) => browser.tabs.onRemoved.addListener((tabId) => listener(tabId)),
    onTabActivated: (listener) => browser.tabs.onActivated.addListener((info) => listener(info.tabId)),
    setBadge: async (tabId, text, color) => {
      await browser.action.setBadgeText({ tabId, text });
      if (text !== '') await browser.action.setBadgeBackgroundColor({ tabId, color });
    },
    onAddNoteHere: (listener) => {
      // removeAll first: a restarted worker runs this again and ids must stay unique.
      // Hidden until site-access.ts shows it on the granted sites.
      menu = browser.contextMenus
        .removeAll()
        .then(() =>
          browser.contextMenus.create({
            id: ADD_NOTE_HERE,
            title: t('addNoteHere'),
            contexts: ['page', 'selection'],
            visible: false,
          }),
        )
        .catch(() => undefined);
      browser.contextMenus.onClicked.addListener((info, tab) => {
        if (info.menuItemId === ADD_NOTE_HERE && tab?.id !== undefined) listener(tab.id);
      });
      browser.commands.onCommand.addListener(async (command, tab) => {
        if (command !== ADD_NOTE_HERE) return;
        const id = tab?.id ?? (await browser.tabs.query({ active: true, currentWindow: true }))[0]?.id;
        if (id !== undefined) listener(id);
      });
    },
    keepBackgroundAwake: () => void browser.runtime.getPlatformInfo(),
    onInstalled: (listener) => browser.runtime.onInstalled.addListener(() => listener()),
    setWakeAlarm: (on) =>
      void (
        on
          ? browser.alarms.create(WAKE_ALARM, { periodInMinutes: WAKE_MINUTES })
          : browser.alarms.clear(WAKE_ALARM)
      ).catch(() => undefined),
    onWakeAlarm: (listener) =>
      browser.alarms.onAlarm.addListener((alarm) => {
        if (alarm.name === WAKE_ALARM) listener();
      }),
    showAddNoteHereOn: (patterns) => {
      menu = menu
        .then(() =>
          browser.contextMenus.update(
            ADD_NOTE_HERE,
            patterns.length > 0 ? { visible: true, documentUrlPatterns: patterns } : { visible: false },
          ),
        )
        .catch(() => undefined);
      return menu.then(() => undefined);
    },
    hosts: {
      granted: async () => (await browser.permissions.getAll()).origins ?? [],
      request: (origins) => browser.permissions.request({ origins }),
      remove: (origins) => browser.permissions.remove({ origins }),
      onAdded: (listener) =>
        browser.permissions.onAdded.addListener((permissions) => listener(permissions.origins ?? [])),
      onRemoved: (listener) =>
        browser.permissions.onRemoved.addListener((permissions) => listener(permissions.origins ?? [])),
    },
    scripts: {
      registered: async () =>
        (await browser.scripting.getRegisteredContentScripts()).map((script) => ({
          id: script.id,
          js: script.js ?? [],
          matches: script.matches ?? [],
          runAt: script.runAt === 'document_start' ? 'document_start' : 'document_idle',
        })),
      register: (scripts) => browser.scripting.registerContentScripts(scripts.map(topFrameKept)),
      update: (scripts) => browser.scripting.updateContentScripts(scripts.map(topFrameKept)),
      unregister: (ids) => browser.scripting.unregisterContentScripts({ ids }),
      inject: async (tabId, file) => {
        await browser.scripting.executeScript({ target: { tabId }, files: [file] });
      },
    },
    isContextValid: () => {
      try {
        return browser.runtime.id !== undefined;
      } catch {
        return false;
      }
    },
  };
}
