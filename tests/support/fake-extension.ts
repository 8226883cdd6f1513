/**
 * The service worker's browser seam faked for unit tests (extension/chrome-api.ts): storage
 * areas in memory, content-script ports that record what the worker posts to them, and a
 * ChromeApi over them. With a real server behind it, the worker runs as it does in Chrome.
 */
import type { ContentFiles } from '../../extension/background/site-access.js';
import type {
  ChromeApi,
  HostsApi,
  PortLike,
  RegisteredScript,
  ScriptsApi,
  StorageAreaLike,
} from '../../extension/chrome-api.js';
import { covers } from '../../extension/shared/site-patterns.js';
import type { ContentToWorker, WorkerToContent } from '../../extension/shared/messages.js';
import type { Result } from '../../protocol/index.js';
import type { TestServer } from './test-server.js';

const WAIT_MS = 3000;

export function memoryArea(): StorageAreaLike {
  const data = new Map<string, unknown>();
  return {
    get: async (keys) => {
      const out: Record<string, unknown> = {};
      for (const key of typeof keys === 'string' ? [keys] : keys) {
        if (data.has(key)) out[key] = structuredClone(data.get(key));
      }
      return out;
    },
    set: async (items) => {
      for (const [key, value] of Object.entries(items)) data.set(key, structuredClone(value));
    },
  };
}

/** One tab's content script, seen from the worker. */
export class FakeTab implements PortLike {
  readonly name = 'collab';
  readonly sender: { tab: { id: number; url: string } };
  readonly received: WorkerToContent[] = [];
  private readonly listeners: Array<(message: unknown) => void> = [];
  private readonly closers: Array<() => void> = [];
  private readonly waiters: Array<() => void> = [];

  constructor(id: number, url: string) {
    this.sender = { tab: { id, url } };
  }

  postMessage(message: unknown): void {
    this.received.push(structuredClone(message) as WorkerToContent);
    for (const wake of this.waiters.splice(0)) wake();
  }
  disconnect(): void {}
  onMessage = { addListener: (listener: (message: unknown) => void) => void this.listeners.push(listener) };
  onDisconnect = { addListener: (listener: () => void) => void this.closers.push(listener) };

  /** The content script sends. */
  send(message: ContentToWorker): void {
    for (const listener of this.listeners) listener(message);
  }
  /** The tab closes. */
  close(): void {
    for (const closer of this.closers) closer();
  }

  /** Resolves with the first message (from `from` on) that matches; fails after a bound. */
  async next<T extends WorkerToContent>(
    match: (message: WorkerToContent) => message is T,
    from = 0,
    waitMs = WAIT_MS,
  ): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`tab ${this.sender.tab.id}: no matching message`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export type Session = Extract<WorkerToContent, { type: 'session' }>;
export type ActiveSession = Extract<Session, { active: true }>;
export const isSession = (m: WorkerToContent): m is Session => m.type === 'session';
export const isActive = (m: WorkerToContent): m is ActiveSession => m.type === 'session' && m.active;
export const isInactive = (m: WorkerToContent): m is Session => m.type === 'session' && !m.active;
export const isUpsert = (m: WorkerToContent): m is Extract<WorkerToContent, { type: 'note:upsert' }> =>
  m.type === 'note:upsert';

/** What a built extension's content-files.ts names; unit tests only compare them. */
export const TEST_FILES: ContentFiles = { keyShield: 'key-shield.js', overlay: 'overlay-loader.js' };

/**
 * The browser's host permissions and dynamic content scripts, in memory: `grant` and `revoke`
 * act as the user does in the browser's settings (the listeners hear it), `injected` records
 * `scripting.executeScript`, `menuPatterns` where "Add note here" shows.
 */
export class FakeBrowserAccess {
  readonly granted = new Set<string>();
  readonly scripts = new Map<string, RegisteredScript>();
  readonly injected: Array<{ tabId: number; file: string }> = [];
  menuPatterns: string[] = [];
  /** Whether the worker keeps its wake alarm on (notes wait for the server). */
  wakeAlarm = false;
  /** Tabs `tabs.query({ url })` finds. */
  openTabs: Array<{ id: number; url: string }> = [];
  /** What the worker does on permissions.onAdded/onRemoved (index.ts wires it the same way). */
  onChange: () => Promise<void> = async () => undefined;
  private pending: Array<Promise<void>> = [];

  constructor(granted: readonly string[]) {
    for (const pattern of granted) this.granted.add(pattern);
  }

  /** The user grants in the browser (or accepts the popup's request). */
  grant(patterns: string[]): void {
    for (const pattern of patterns) this.granted.add(pattern);
    this.pending.push(this.onChange());
  }

  /** The user removes in the browser's settings for the extension. */
  revoke(patterns: string[]): void {
    for (const pattern of patterns) this.granted.delete(pattern);
    this.pending.push(this.onChange());
  }

  /** Resolves once the worker has handled every grant and removal so far. */
  async settled(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  async grantAndSettle(patterns: string[]): Promise<void> {
    this.grant(patterns);
    await this.settled();
  }

  async revokeAndSettle(patterns: string[]): Promise<void> {
    this.revoke(patterns);
    await this.settled();
  }

  readonly hosts: HostsApi = {
    granted: async () => [...this.granted],
    request: async (patterns) => {
      this.grant(patterns);
      return true;
    },
    remove: async (patterns) => {
      this.revoke(patterns);
      return true;
    },
    onAdded: () => undefined,
    onRemoved: () => undefined,
  };

  readonly scriptsApi: ScriptsApi = {
    registered: async () => [...this.scripts.values()].map((script) => structuredClone(script)),
    register: async (scripts) => {
      for (const script of scripts) {
        if (this.scripts.has(script.id)) throw new Error(`Duplicate script ID '${script.id}'`);
        this.scripts.set(script.id, structuredClone(script));
      }
    },
    update: async (scripts) => {
      for (const script of scripts) {
        if (!this.scripts.has(script.id)) throw new Error(`No script with ID '${script.id}'`);
        this.scripts.set(script.id, structuredClone(script));
      }
    },
    unregister: async (ids) => {
      for (const id of ids) this.scripts.delete(id);
    },
    inject: async (tabId, file) => void this.injected.push({ tabId, file }),
  };
}

export function fakeChromeApi(
  tabs: Map<number, string>,
  access = new FakeBrowserAccess(['http://*/*', 'https://*/*']),
): ChromeApi {
  return {
    storageLocal: memoryArea(),
    storageSession: memoryArea(),
    onStorageChanged: () => undefined,
    connect: () => {
      throw new Error('the worker does not connect ports');
    },
    onConnect: () => undefined,
    sendMessage: async () => undefined,
    onMessage: () => undefined,
    queryTabs: async (query) =>
      query.url ? access.openTabs.filter((tab) => covers(query.url ?? [], tab.url)) : [],
    getTab: async (id) => (tabs.has(id) ? { id, url: tabs.get(id) } : null),
    onTabRemoved: () => undefined,
    onTabActivated: () => undefined,
    setBadge: async () => undefined,
    isContextValid: () => true,
    onAddNoteHere: () => undefined,
    keepBackgroundAwake: () => undefined,
    onInstalled: () => undefined,
    setWakeAlarm: (on) => {
      access.wakeAlarm = on;
    },
    onWakeAlarm: () => undefined,
    showAddNoteHereOn: async (patterns) => {
      access.menuPatterns = [...patterns];
    },
    hosts: access.hosts,
    scripts: access.scriptsApi,
  };
}

export function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/**
 * What the server receives, per event name, with a waiter: the keep-alive is checked on
 * the wire, at the server, not by spying on the worker.
 */
export class ServerInbox {
  readonly events: Array<{ event: string; payload: unknown }> = [];
  private readonly waiters: Array<() => void> = [];

  constructor(testServer: TestServer, namespace = '/rooms') {
    testServer.app.io.of(namespace).on('connection', (socket) => {
      socket.onAny((event: string, payload: unknown) => {
        this.events.push({ event, payload });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  of(event: string): unknown[] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload);
  }

  /** Resolves once `count` events named `event` have arrived; fails after a bound. */
  async count(event: string, count: number): Promise<unknown[]> {
    const deadline = Date.now() + WAIT_MS;
    while (this.of(event).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`server saw ${this.of(event).length} "${event}", not ${count}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.of(event);
  }
}
