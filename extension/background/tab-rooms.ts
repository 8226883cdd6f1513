/**
 * Which tab is in which room. Several tabs of one page share one room entry (one
 * `room:join` on the wire, one `room:leave` when the last of them goes), which also
 * caches the room's peers and notes so a second tab gets them without a round trip.
 * The tab -> page map is mirrored to `storage.session` so a restarted worker knows
 * what its tabs showed.
 */
import {
  normalizeChannel,
  normalizePageUrl,
  PUBLIC_CHANNEL,
  roomIdFor,
  type Note,
  type Peer,
  type Result,
} from '../../protocol/index.js';
import type { ChromeApi, PortLike } from '../chrome-api.js';

export interface TabEntry {
  tabId: number;
  /** The tab's content script port; null for tabs restored from storage until they say hello. */
  port: PortLike | null;
  /** Normalised page URL, null when the page is not http(s). */
  page: string | null;
  origin: string | null;
  /** Key of the {@link RoomEntry} the tab is attached to. */
  roomKey: string | null;
  /** The room the user picked for this tab in the popup; it holds while the tab shows `channelPage`. */
  channel: string;
  channelPage: string | null;
  /** Key and invite code of a private channel. */
  inviteKey: string | null;
  invite: string | null;
  /** No input on the page for a minute. */
  idle: boolean;
}

export interface RoomEntry {
  /** Local key: `roomIdFor(page, channel)`. */
  key: string;
  page: string;
  channel: string;
  /** Key and invite code of a private room, as the tab that picked it had them. */
  inviteKey: string | null;
  invite: string | null;
  /** Room id from the server's `room:join` ack; null until joined. */
  room: string | null;
  /** What we last told the room about our idle state. */
  idle: boolean;
  /** The `room:join` in flight, so several callers wait for one answer. */
  joinPromise: Promise<Result<null> | null> | null;
  /** True while this socket is a member of the room on the server. */
  joined: boolean;
  joining: boolean;
  /** Bumped when the connection drops, so a late `room:join` ack is ignored. */
  joinGeneration: number;
  /** True once `notes:subscribe` answered on the current connection. */
  subscribed: boolean;
  subscribing: boolean;
  /** Bumped when `/notes` drops, so a late `notes:subscribe` ack is ignored. */
  notesGeneration: number;
  self: Peer | null;
  /** The room's number in `cursor:packed` batches, from the join ack; null until joined. */
  roomNo: number | null;
  /** Element paths the server numbered for this room's packed batches. */
  paths: Map<number, string>;
  /** Everyone else, by peer id. */
  peers: Map<string, Peer>;
  /** The room's notes as we hold them; kept over reconnects and brought up to date by revision. */
  notes: Map<string, Note>;
  /**
   * The room's revision we hold every change up to (issue 12): the `since` of our next
   * subscribe. 0 while we hold nothing from a subscribe.
   */
  revision: number;
  /** Revisions above `revision` applied already (note events, our acks); `revision` moves over them with no gap left. */
  seen: Set<number>;
  /** Ids of notes deleted in the room, so a late event never brings one back. */
  gone: Set<string>;
  /** True once what a previous worker kept of the room (notes-cache.ts) was read back. */
  cacheRead: boolean;
  /** True once the room's tabs were sent its whole set; later changes go to them one by one. */
  shown: boolean;
  tabs: Set<number>;
  /** Last join or subscribe failure, for the popup. */
  error: string | null;
}

/** Where a page URL leads: its normalised form and origin, or nulls for non-http(s) pages. */
export function describePage(url: string | undefined): { page: string | null; origin: string | null } {
  const page = url ? normalizePageUrl(url) : null;
  return { page, origin: page ? new URL(page).origin : null };
}

const SESSION_KEY = 'tabs';

export class TabRooms {
  readonly tabs = new Map<number, TabEntry>();
  readonly rooms = new Map<string, RoomEntry>();
  /** Settles once the previous worker's tab map is back; every `hello` waits for it. */
  restored: Promise<void> = Promise.resolve();

  constructor(private readonly api: ChromeApi) {}

  tab(tabId: number): TabEntry {
    let entry = this.tabs.get(tabId);
    if (!entry) {
      entry = {
        tabId,
        port: null,
        page: null,
        origin: null,
        roomKey: null,
        channel: PUBLIC_CHANNEL,
        channelPage: null,
        inviteKey: null,
        invite: null,
        idle: false,
      };
      this.tabs.set(tabId, entry);
    }
    return entry;
  }

  roomOf(tabId: number): RoomEntry | null {
    const key = this.tabs.get(tabId)?.roomKey;
    return key ? (this.rooms.get(key) ?? null) : null;
  }

  /** The entry for a server room id. */
  byRoomId(room: string): RoomEntry | null {
    for (const entry of this.rooms.values()) if (entry.room === room) return entry;
    return null;
  }

  /** The channel a tab goes to: the one picked in the popup while it shows that page, else public. */
  channelOf(tab: TabEntry): { channel: string; inviteKey: string | null; invite: string | null } {
    if (tab.page !== null && tab.channelPage === tab.page) {
      return { channel: tab.channel, inviteKey: tab.inviteKey, invite: tab.invite };
    }
    return { channel: PUBLIC_CHANNEL, inviteKey: null, invite: null };
  }

  /** Picks the room for a tab's current page (`public` resets it); attach() then moves it there. */
  choose(
    tabId: number,
    channel: string,
    inviteKey: string | null = null,
    invite: string | null = null,
  ): void {
    const tab = this.tab(tabId);
    Object.assign(tab, { channel: normalizeChannel(channel), channelPage: tab.page, inviteKey, invite });
  }

  /** Puts the tab in its chosen room of its page (one room per tab); returns the entry (new or shared). */
  attach(tabId: number): RoomEntry | null {
    const tab = this.tab(tabId);
    if (!tab.page) return null;
    const { channel, inviteKey, invite } = this.channelOf(tab);
    const key = roomIdFor(tab.page, channel);
    if (tab.roomKey && tab.roomKey !== key) this.detach(tabId);
    let entry = this.rooms.get(key);
    if (!entry) {
      entry = {
        key,
        page: tab.page,
        channel,
        inviteKey,
        invite,
        room: null,
        idle: false,
        joinPromise: null,
        joined: false,
        joining: false,
        joinGeneration: 0,
        subscribed: false,
        subscribing: false,
        notesGeneration: 0,
        self: null,
        roomNo: null,
        paths: new Map(),
        peers: new Map(),
        notes: new Map(),
        revision: 0,
        seen: new Set(),
        gone: new Set(),
        cacheRead: false,
        shown: false,
        tabs: new Set(),
        error: null,
      };
      this.rooms.set(key, entry);
    }
    entry.tabs.add(tabId);
    tab.roomKey = key;
    this.persist();
    return entry;
  }

  /**
   * Takes the tab out of its room. Returns the room entry when the tab was the last one
   * in it (the entry is then forgotten and the caller leaves the room on the server).
   */
  detach(tabId: number): RoomEntry | null {
    const tab = this.tabs.get(tabId);
    const entry = this.roomOf(tabId);
    if (tab) tab.roomKey = null;
    if (!entry) return null;
    entry.tabs.delete(tabId);
    this.persist();
    if (entry.tabs.size > 0) return null;
    this.rooms.delete(entry.key);
    return entry;
  }

  /** Forgets the tab entirely (closed); returns the room it emptied, if any. */
  remove(tabId: number): RoomEntry | null {
    const emptied = this.detach(tabId);
    this.tabs.delete(tabId);
    this.persist();
    return emptied;
  }

  /** Ports of the tabs in a room. */
  portsOf(entry: RoomEntry): PortLike[] {
    const ports: PortLike[] = [];
    for (const tabId of entry.tabs) {
      const port = this.tabs.get(tabId)?.port;
      if (port) ports.push(port);
    }
    return ports;
  }

  /**
   * Reloads the tab map a previous worker instance left: page and the room picked for it
   * (ports come back with hello, which waits for {@link restored}).
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
      if (typeof tabId !== 'number' || typeof page !== 'string' || this.tabs.has(tabId)) continue;
      const tab = this.tab(tabId);
      Object.assign(tab, describePage(page));
      tab.channel = text(saved.channel) ?? PUBLIC_CHANNEL;
      tab.channelPage = text(saved.channelPage);
      tab.inviteKey = text(saved.inviteKey);
      tab.invite = text(saved.invite);
    }
  }

  persist(): void {
    // storage.session lives in memory only and is cleared with the browser session, so a
    // private room's key may stay there: a restarted worker needs it to join again.
    const list = [...this.tabs.values()]
      .filter((tab) => tab.page !== null)
      .map((tab) => ({
        tabId: tab.tabId,
        page: tab.page,
        inRoom: tab.roomKey !== null,
        channel: tab.channel,
        channelPage: tab.channelPage,
        inviteKey: tab.inviteKey,
        invite: tab.invite,
      }));
    this.api.storageSession.set({ [SESSION_KEY]: list }).catch(() => undefined);
  }
}
