/**
 * Which room each tab wants, and which open room it is in. A tab's choice (the room the
 * user picked in the popup, with a private room's invite key) holds while the tab shows the
 * page it was made on: a reload, back/forward to that page, a restarted worker and a new
 * content script all find it again. It is forgotten only when the tab closes. The map is
 * mirrored to `storage.session` so a restarted worker knows what its tabs showed and chose.
 */
import { normalizeChannel, normalizePageUrl, PUBLIC_CHANNEL, roomIdFor } from '../../protocol/index.js';
import type { ChromeApi, PortLike } from '../chrome-api.js';
import type { WorkerToContent } from '../shared/messages.js';
import { newOpenRoom, type OpenRoom } from './open-rooms.js';

/** The room a tab goes to while it shows `page`; the public one anywhere else. */
export interface RoomChoice {
  channel: string;
  /** The page the choice was made on; null: none made (public). */
  page: string | null;
  /** Key and invite code of a private channel. */
  inviteKey: string | null;
  invite: string | null;
}

export interface TabSession {
  tabId: number;
  /** The tab's content script port; null while it has none (reloading, or restored from storage). */
  port: PortLike | null;
  /** Normalised page URL, null when the page is not http(s). */
  page: string | null;
  origin: string | null;
  /** Key of the {@link OpenRoom} the tab is in, null when in none. */
  roomKey: string | null;
  choice: RoomChoice;
  /** No input on the page for a minute. */
  idle: boolean;
}

/** Where a page URL leads: its normalised form and origin, or nulls for non-http(s) pages. */
export function describePage(url: string | undefined): { page: string | null; origin: string | null } {
  const page = url ? normalizePageUrl(url) : null;
  return { page, origin: page ? new URL(page).origin : null };
}

/** Posts to a port that may have closed in the meantime. */
export function post(port: PortLike | null | undefined, message: WorkerToContent): void {
  if (!port) return;
  try {
    port.postMessage(message);
  } catch {
    // The tab went away between our check and the post; its disconnect handler cleans up.
  }
}

const SESSION_KEY = 'tabs';
const PUBLIC: RoomChoice = { channel: PUBLIC_CHANNEL, page: null, inviteKey: null, invite: null };

export class TabSessions {
  readonly tabs = new Map<number, TabSession>();
  /** Open rooms by local key. */
  readonly rooms = new Map<string, OpenRoom>();
  /** Settles once the previous worker's tab map is back; every `hello` waits for it. */
  restored: Promise<void> = Promise.resolve();

  constructor(private readonly api: ChromeApi) {}

  tab(tabId: number): TabSession {
    let tab = this.tabs.get(tabId);
    if (!tab) {
      tab = { tabId, port: null, page: null, origin: null, roomKey: null, choice: PUBLIC, idle: false };
      this.tabs.set(tabId, tab);
    }
    return tab;
  }

  /** The tab now shows `url`; its choice stays for when it shows that page again. */
  showing(tabId: number, url: string): TabSession {
    const tab = this.tab(tabId);
    Object.assign(tab, describePage(url));
    this.persist();
    return tab;
  }

  roomOf(tabId: number): OpenRoom | null {
    const key = this.tabs.get(tabId)?.roomKey;
    return key ? (this.rooms.get(key) ?? null) : null;
  }

  /** The open room the server calls `room`; the local key names the same room before the first join. */
  byRoomId(room: string): OpenRoom | null {
    for (const entry of this.rooms.values()) if (entry.room === room) return entry;
    return this.rooms.get(room) ?? null;
  }

  /** False once every tab left the room: answers that arrive later are for a room we closed. */
  isOpen(entry: OpenRoom): boolean {
    return this.rooms.get(entry.key) === entry;
  }

  /** The room a tab goes to: the one picked in the popup while it shows that page, else public. */
  choiceOf(tab: TabSession): RoomChoice {
    return tab.page !== null && tab.choice.page === tab.page ? tab.choice : PUBLIC;
  }

  /** Picks the room for a tab's current page (`public` resets it); attach() then moves it there. */
  choose(
    tabId: number,
    channel: string,
    inviteKey: string | null = null,
    invite: string | null = null,
  ): void {
    const tab = this.tab(tabId);
    tab.choice = { channel: normalizeChannel(channel), page: tab.page, inviteKey, invite };
    this.persist();
  }

  /** Puts the tab in its chosen room of its page (one room per tab); returns the room (new or shared). */
  attach(tabId: number): OpenRoom | null {
    const tab = this.tab(tabId);
    if (!tab.page) return null;
    const { channel, inviteKey, invite } = this.choiceOf(tab);
    const key = roomIdFor(tab.page, channel);
    if (tab.roomKey && tab.roomKey !== key) this.detach(tabId);
    let entry = this.rooms.get(key);
    if (!entry) {
      entry = newOpenRoom(key, tab.page, channel, inviteKey, invite);
      this.rooms.set(key, entry);
    }
    entry.tabs.add(tabId);
    tab.roomKey = key;
    return entry;
  }

  /**
   * Takes the tab out of its room; its choice stays. Returns the room when the tab was the
   * last one in it (the room is then closed here and the caller leaves it on the server).
   */
  detach(tabId: number): OpenRoom | null {
    const tab = this.tabs.get(tabId);
    const entry = this.roomOf(tabId);
    if (tab) tab.roomKey = null;
    if (!entry) return null;
    entry.tabs.delete(tabId);
    if (entry.tabs.size > 0) return null;
    this.rooms.delete(entry.key);
    return entry;
  }

  /** The tab closed: forgets it and its choice; returns the room it emptied, if any. */
  forget(tabId: number): OpenRoom | null {
    const emptied = this.detach(tabId);
    this.tabs.delete(tabId);
    this.persist();
    return emptied;
  }

  /** Ports of the tabs in a room. */
  portsOf(entry: OpenRoom): PortLike[] {
    const ports: PortLike[] = [];
    for (const tabId of entry.tabs) {
      const port = this.tabs.get(tabId)?.port;
      if (port) ports.push(port);
    }
    return ports;
  }

  /** Sends a message to every tab of the room. */
  broadcast(entry: OpenRoom, message: WorkerToContent): void {
    for (const port of this.portsOf(entry)) post(port, message);
  }

  /**
   * Reloads the tab map a previous worker instance left: page and the room picked for it
   * (ports come back with hello, which waits for {@link restored}). Tabs closed meanwhile are dropped.
   */
  restore(): Promise<void> {
    this.restored = this.load().catch(() => undefined);
    return this.restored;
  }

  private async load(): Promise<void> {
    const stored = (await this.api.storageSession.get(SESSION_KEY))[SESSION_KEY];
    if (!Array.isArray(stored)) return;
    const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    for (const item of stored) {
      if (typeof item !== 'object' || item === null) continue;
      const saved = item as Record<string, unknown>;
      const { tabId, page } = saved;
      if (typeof tabId !== 'number' || typeof page !== 'string') continue;
      // A tab whose port connected meanwhile is in the map already, without a page until its
      // hello (which waits for this): its choice is restored all the same.
      if (!this.tabs.has(tabId) && (await this.api.getTab(tabId)) === null) continue;
      const tab = this.tab(tabId);
      if (tab.page !== null) continue;
      Object.assign(tab, describePage(page));
      tab.choice = {
        channel: text(saved.channel) ?? PUBLIC_CHANNEL,
        page: text(saved.channelPage),
        inviteKey: text(saved.inviteKey),
        invite: text(saved.invite),
      };
    }
    this.persist();
  }

  persist(): void {
    // storage.session lives in memory only and is cleared with the browser session, so a
    // private room's key may stay there: a restarted worker needs it to join again.
    const list = [...this.tabs.values()]
      .filter((tab) => tab.page !== null)
      .map(({ tabId, page, choice }) => ({
        tabId,
        page,
        channel: choice.channel,
        channelPage: choice.page,
        inviteKey: choice.inviteKey,
        invite: choice.invite,
      }));
    this.api.storageSession.set({ [SESSION_KEY]: list }).catch(() => undefined);
  }
}
