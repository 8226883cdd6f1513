/**
 * Which tab is in which room. Several tabs of one page share one room entry (one
 * `room:join` on the wire, one `room:leave` when the last of them goes), which also
 * caches the room's peers and notes so a second tab gets them without a round trip.
 * The tab -> page map is mirrored to `storage.session` so a restarted worker knows
 * what its tabs showed.
 */
import { normalizePageUrl, PUBLIC_CHANNEL, roomIdFor, type Note, type Peer } from '../../protocol/index.js';
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
}

export interface RoomEntry {
  /** Local key: `roomIdFor(page, channel)`. */
  key: string;
  page: string;
  channel: string;
  /** Room id from the server's `room:join` ack; null until joined. */
  room: string | null;
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
  /** Everyone else, by peer id. */
  peers: Map<string, Peer>;
  notes: Map<string, Note>;
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

  constructor(private readonly api: ChromeApi) {}

  tab(tabId: number): TabEntry {
    let entry = this.tabs.get(tabId);
    if (!entry) {
      entry = { tabId, port: null, page: null, origin: null, roomKey: null };
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

  /** Puts the tab in the public room of its page; returns the entry (new or shared). */
  attach(tabId: number): RoomEntry | null {
    const tab = this.tab(tabId);
    if (!tab.page) return null;
    const key = roomIdFor(tab.page, PUBLIC_CHANNEL);
    if (tab.roomKey && tab.roomKey !== key) this.detach(tabId);
    let entry = this.rooms.get(key);
    if (!entry) {
      entry = {
        key,
        page: tab.page,
        channel: PUBLIC_CHANNEL,
        room: null,
        joined: false,
        joining: false,
        joinGeneration: 0,
        subscribed: false,
        subscribing: false,
        notesGeneration: 0,
        self: null,
        peers: new Map(),
        notes: new Map(),
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

  /** Reloads the tab -> page map a previous worker instance left (ports come back with hello). */
  async restore(): Promise<void> {
    const stored = (await this.api.storageSession.get(SESSION_KEY))[SESSION_KEY];
    if (!Array.isArray(stored)) return;
    for (const item of stored) {
      if (typeof item !== 'object' || item === null) continue;
      const { tabId, page } = item as { tabId?: unknown; page?: unknown };
      if (typeof tabId !== 'number' || typeof page !== 'string' || this.tabs.has(tabId)) continue;
      const tab = this.tab(tabId);
      Object.assign(tab, describePage(page));
    }
  }

  persist(): void {
    const list = [...this.tabs.values()]
      .filter((tab) => tab.page !== null)
      .map((tab) => ({ tabId: tab.tabId, page: tab.page, inRoom: tab.roomKey !== null }));
    this.api.storageSession.set({ [SESSION_KEY]: list }).catch(() => undefined);
  }
}
