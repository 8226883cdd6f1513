/**
 * The relay between content scripts and the server. Tabs say `hello { url }` over
 * their port; a tab whose site is enabled is put in its page's room (joined once per
 * room, however many tabs show it), and everything the server sends for that room is
 * forwarded to the room's tabs. For a site that is not enabled nothing at all goes to
 * the server: no join, no URL.
 */
import { z } from 'zod';
import {
  CursorBatch,
  CursorPaths,
  Note,
  NoteChanged,
  NoteDeleted,
  NoteDeletedAck,
  PresenceJoined,
  PresenceLeft,
  PresenceUpdated,
  RoomJoined,
  type AckError,
  type NoteCreate,
  type NotesSubscribe,
  type Peer,
  type Result,
} from '../../protocol/index.js';
import {
  fail,
  formatInviteCode,
  ok,
  parseInviteCode,
  PUBLIC_CHANNEL,
  RoomCreated,
  RoomSummary,
  type Result as Outcome,
  type RoomJoin,
} from '../../protocol/index.js';
import type { ChromeApi, PortLike } from '../chrome-api.js';
import { learnPaths, readPackedBatch } from './packed-cursors.js';
import {
  ContentToWorker,
  PORT_NAME,
  type NoteCreateMessage,
  type PendingOp,
  type SessionMessage,
  type WorkerToContent,
} from '../shared/messages.js';
import { updateBadges } from './badge.js';
import { ACK_TIMEOUT_MS, Connection, request, type NotesSocket, type RoomsSocket } from './connection.js';
import { NotesCache } from './notes-cache.js';
import { exportAll, importAll, subscribeAll } from './notes-pages.js';
import { Outbox, type OutboxOp } from './outbox.js';
import { randomId } from './random-id.js';
import type { SettingsStore } from './settings.js';
import { describePage, TabRooms, type RoomEntry } from './tab-rooms.js';

/** How long the connection stays open after the last tab left, so a navigation does not flap it. */
const CLOSE_DELAY_MS = 3_000;

/**
 * Keep-alive period: every joined room gets a `presence:update` this often. It refreshes
 * the server's presence TTL (30 s) and keeps traffic flowing, which keeps Chrome from
 * stopping an idle worker (it does after 30 s without events) while rooms are open.
 */
export const KEEPALIVE_MS = 10_000;

/**
 * Revisions and deleted ids a room entry remembers at most: past that, `seen` is forgotten
 * (the next catch-up just asks from a bit earlier) and the oldest deleted ids go.
 */
const MAX_REMEMBERED = 10_000;

/** `room:list` for the popup is a nicety: it must not hold the popup up for long. */
const LIST_TIMEOUT_MS = 2_000;

/** Posts to a port that may have closed in the meantime. */
function post(port: PortLike | null | undefined, message: WorkerToContent): void {
  if (!port) return;
  try {
    port.postMessage(message);
  } catch {
    // The tab went away between our check and the post; its disconnect handler cleans up.
  }
}

export class Relay {
  readonly state: TabRooms;
  readonly connection: Connection;
  /** Note writes not yet acknowledged, persisted in storage.local (issue 4). */
  readonly outbox: Outbox;
  /** Each room's notes and revision in storage.session, for the next worker (issue 12). */
  readonly notesCache: NotesCache;
  private closeTimer: ReturnType<typeof setTimeout> | null = null;
  private keepAliveTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly api: ChromeApi,
    private readonly settings: SettingsStore,
    /** Called (coalesced by the caller) whenever something the popup shows changed. */
    private readonly changed: () => void,
  ) {
    this.state = new TabRooms(api);
    this.notesCache = new NotesCache(api.storageSession);
    this.outbox = new Outbox(api.storageLocal, {
      send: (op) => this.sendOp(op),
      delivered: (op, value) => this.delivered(op, value),
      refused: (op, error) => void this.refused(op, error),
      changed: (room) => this.pendingChanged(room),
    });
    this.connection = new Connection({
      bind: (rooms, notes) => this.bind(rooms, notes),
      roomsConnected: () => {
        for (const entry of this.state.rooms.values()) void this.join(entry);
      },
      notesConnected: () => {
        for (const entry of this.state.rooms.values()) void this.subscribe(entry);
        void this.outbox.flush();
      },
      disconnected: (namespace) => this.lost(namespace),
      statusChanged: () => this.changed(),
    });
  }

  // -------------------------------------------------------------------------
  // Tabs

  /** A content script connected its port. */
  handlePort(port: PortLike): void {
    if (port.name !== PORT_NAME) return;
    const tabId = port.sender?.tab?.id;
    if (tabId === undefined) {
      port.disconnect();
      return;
    }
    this.state.tab(tabId).port = port;
    port.onMessage.addListener((raw) => {
      const parsed = ContentToWorker.safeParse(raw);
      if (parsed.success) void this.fromTab(tabId, port, parsed.data);
    });
    port.onDisconnect.addListener(() => {
      // A newer content script of the same tab may have connected already.
      if (this.state.tabs.get(tabId)?.port === port) this.removeTab(tabId);
    });
  }

  /** The tab closed or navigated away. */
  removeTab(tabId: number): void {
    const wasInRoom = this.state.tabs.get(tabId)?.roomKey != null;
    // A tab that navigated elsewhere must not keep showing this room's head count.
    if (wasInRoom) updateBadges(this.api, [tabId], null);
    const emptied = this.state.remove(tabId);
    if (emptied) this.leaveRoom(emptied);
    if (wasInRoom) this.scheduleCloseIfUnused();
    this.changed();
  }

  private async fromTab(tabId: number, port: PortLike, message: ContentToWorker): Promise<void> {
    switch (message.type) {
      case 'hello':
        return this.hello(tabId, port, message.url);
      case 'cursor:move': {
        const room = this.joinedRoomId(tabId);
        if (room) this.connection.moveCursor(room, message.cursor);
        return;
      }
      case 'cursor:hide': {
        const room = this.joinedRoomId(tabId);
        if (room) this.connection.hideCursor(room);
        return;
      }
      case 'leave':
        // pagehide: leave now; a page restored from the back/forward cache says hello again.
        this.leaveTab(tabId);
        this.changed();
        return;
      case 'idle':
        this.state.tab(tabId).idle = message.idle;
        this.syncIdle(this.state.roomOf(tabId));
        return;
      case 'note:create':
        return this.createNote(tabId, port, message);
      case 'note:update':
      case 'note:delete':
        return this.changeNote(tabId, port, message);
      case 'notes:export':
      case 'notes:import':
        return this.transfer(tabId, port, message);
    }
  }

  private async hello(tabId: number, port: PortLike, url: string): Promise<void> {
    // A restarted worker first reloads which room each tab had picked.
    await this.state.restored;
    const tab = this.state.tab(tabId);
    Object.assign(tab, describePage(url));
    this.state.persist();
    const origin = tab.origin;
    const settings = await this.settings.load();
    const enabled = origin !== null && settings.enabledSites.includes(origin);
    if (this.state.tabs.get(tabId)?.port !== port) return;
    if (enabled && !settings.paused) {
      void this.joinTab(tabId);
    } else {
      this.leaveTab(tabId);
      const reason = origin === null ? 'unsupported' : enabled ? 'paused' : 'off';
      post(port, { type: 'session', active: false, reason } satisfies SessionMessage);
    }
    this.changed();
  }

  /**
   * Puts a tab (with a known, enabled page) in its chosen room, leaving the one it was in
   * (a tab is in one room at most), and brings it up to date. Resolves with the join's
   * result, or null when it will happen once the connection is up.
   */
  private joinTab(tabId: number): Promise<Outcome<null> | null> {
    const previous = this.state.roomOf(tabId);
    const entry = this.state.attach(tabId);
    if (previous && previous !== entry) {
      if (previous.tabs.size === 0) this.leaveRoom(previous);
      else this.syncIdle(previous);
    }
    if (!entry) return Promise.resolve(null);
    this.cancelClose();
    const port = this.state.tabs.get(tabId)?.port;
    if (entry.joined) {
      this.sendSession(entry, port);
      // What we hold is whole up to entry.revision; a catch-up in flight sends the rest as changes.
      if ((entry.subscribed || entry.revision > 0) && entry.room) {
        post(port, { type: 'notes', room: entry.room, notes: [...entry.notes.values()] });
        post(port, { type: 'notes:pending', room: entry.room, ops: this.pendingOps(entry.room) });
      }
      updateBadges(this.api, [tabId], entry);
    }
    this.syncIdle(entry);
    return this.openConnection().then(() => this.join(entry));
  }

  /** Takes a tab out of its room (sharing turned off, or another page). */
  private leaveTab(tabId: number, notify = false): void {
    const tab = this.state.tabs.get(tabId);
    if (!tab?.roomKey) return;
    const emptied = this.state.detach(tabId);
    updateBadges(this.api, [tabId], null);
    if (notify) post(tab.port, { type: 'session', active: false, reason: 'off' });
    if (emptied) this.leaveRoom(emptied);
    this.scheduleCloseIfUnused();
  }

  /** Turns sharing on or off for an origin and joins or leaves every open tab of it right away. */
  async setSharing(origin: string, enabled: boolean): Promise<void> {
    const settings = await this.settings.setEnabled(origin, enabled);
    for (const tab of [...this.state.tabs.values()]) {
      if (tab.origin !== origin || !tab.port) continue;
      if (enabled && !settings.paused) void this.joinTab(tab.tabId);
      else if (!enabled) this.leaveTab(tab.tabId, true);
    }
    this.changed();
  }

  /**
   * Pauses or resumes all sharing. Paused, every tab leaves its room and the connection
   * closes at once; resumed, the tabs of enabled sites join again.
   */
  async setPaused(paused: boolean): Promise<void> {
    const settings = await this.settings.update({ paused });
    for (const tab of [...this.state.tabs.values()]) {
      if (!tab.port) continue;
      const enabled = tab.origin !== null && settings.enabledSites.includes(tab.origin);
      if (paused) {
        this.leaveTab(tab.tabId);
        if (enabled) post(tab.port, { type: 'session', active: false, reason: 'paused' });
      } else if (enabled) {
        void this.joinTab(tab.tabId);
      }
    }
    if (paused) {
      this.cancelClose();
      this.closeConnection();
    }
    this.changed();
  }

  /** Moves a tab to another room of its page; a refused room (wrong key) puts it back in the public one. */
  async switchRoom(
    tabId: number,
    channel: string,
    inviteKey: string | null = null,
    invite: string | null = null,
  ): Promise<Outcome<null>> {
    const tab = this.state.tabs.get(tabId);
    if (!tab?.page || !tab.port) return fail('invalid', 'Reload the page first.');
    const settings = await this.settings.load();
    if (settings.paused) return fail('forbidden', 'Sharing is paused.');
    if (!tab.origin || !settings.enabledSites.includes(tab.origin)) {
      return fail('forbidden', 'Turn sharing on for this site first.');
    }
    this.state.choose(tabId, channel, inviteKey, invite);
    const result = await this.joinTab(tabId);
    if (result && !result.ok && this.state.channelOf(tab).channel !== PUBLIC_CHANNEL) {
      this.state.choose(tabId, PUBLIC_CHANNEL);
      void this.joinTab(tabId);
      return result.error.code === 'forbidden'
        ? fail('forbidden', 'That invite code does not open a room on this page.')
        : result;
    }
    this.changed();
    return ok(null);
  }

  /** Asks the server for a private room on the tab's page and moves the tab into it. */
  async createPrivateRoom(tabId: number): Promise<Outcome<null>> {
    const page = this.state.tabs.get(tabId)?.page;
    const rooms = this.connection.rooms;
    if (!page) return fail('invalid', 'Reload the page first.');
    if (!rooms) return fail('unavailable', 'Not connected to the server.');
    const created = await request(
      () => rooms.timeout(ACK_TIMEOUT_MS).emitWithAck('room:create', { page }),
      RoomCreated,
    );
    if (!created.ok) return created;
    const { channel, key, invite } = created.value;
    return this.switchRoom(tabId, channel, key, invite);
  }

  /** Moves the tab into the private room an invite code names. */
  async joinInvite(tabId: number, code: string): Promise<Outcome<null>> {
    const parsed = parseInviteCode(code);
    if (!parsed) return fail('invalid', 'That is not an invite code.');
    return this.switchRoom(tabId, parsed.channel, parsed.key, formatInviteCode(parsed.channel, parsed.key));
  }

  /** The public and named rooms open on the tab's page, for the popup; empty when not in one. */
  async listRooms(tabId: number): Promise<RoomSummary[]> {
    const entry = this.state.roomOf(tabId);
    const rooms = this.connection.rooms;
    // Only the page of a joined room: a site with sharing off never has its URL sent.
    if (!entry?.joined || !rooms) return [];
    const result = await request(
      () => rooms.timeout(LIST_TIMEOUT_MS).emitWithAck('room:list', { page: entry.page }),
      RoomSummary.array(),
    );
    return result.ok ? result.value : [];
  }

  /** New name or colour: tell every room now, and use it in the next handshake. */
  async setProfile(patch: { name?: string; color?: string }): Promise<void> {
    const settings = await this.settings.update(patch);
    this.connection.setAuth(await this.settings.auth());
    const rooms = this.connection.rooms;
    for (const entry of this.state.rooms.values()) {
      if (!entry.joined || !entry.room) continue;
      rooms?.emit('presence:update', { room: entry.room, name: settings.name, color: settings.color });
      if (entry.self) entry.self = { ...entry.self, name: settings.name, color: settings.color };
      this.sendSession(entry);
    }
    this.changed();
  }

  /** New server URL: drop the old connection, forget its rooms' state and connect again. */
  async setServerUrl(serverUrl: string): Promise<void> {
    await this.settings.update({ serverUrl });
    this.closeConnection();
    for (const entry of this.state.rooms.values()) {
      this.resetJoin(entry);
      this.resetNotes(entry);
      entry.notes.clear();
      entry.error = null;
      for (const port of this.state.portsOf(entry)) {
        post(port, { type: 'session', active: false, reason: 'reconnecting' });
      }
    }
    if (this.state.rooms.size > 0) {
      await this.openConnection();
      for (const entry of this.state.rooms.values()) void this.join(entry);
    }
    this.changed();
  }

  // -------------------------------------------------------------------------
  // Connection and rooms

  private async openConnection(): Promise<void> {
    const settings = await this.settings.load();
    const auth = await this.settings.auth();
    // Unsent notes need the connection even when no tab is in a room (worker start).
    if (this.state.rooms.size === 0 && this.outbox.size === 0) return;
    if (settings.paused) return;
    this.connection.open(settings.serverUrl, auth);
    this.keepAliveTimer ??= setInterval(() => this.keepAlive(), KEEPALIVE_MS);
  }

  private closeConnection(): void {
    if (this.keepAliveTimer !== null) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
    this.connection.close();
  }

  /**
   * Tells every joined room we are still here (our idle state, unchanged). A `forbidden`
   * answer means the server dropped us (its presence TTL): join again.
   */
  private keepAlive(): void {
    const rooms = this.connection.rooms;
    if (!rooms) return;
    for (const entry of this.state.rooms.values()) {
      const room = entry.room;
      if (!entry.joined || !room) continue;
      const generation = entry.joinGeneration;
      void request(
        () => rooms.timeout(ACK_TIMEOUT_MS).emitWithAck('presence:update', { room, idle: entry.idle }),
        z.null(),
      ).then((result) => {
        if (result.ok || result.error.code !== 'forbidden' || generation !== entry.joinGeneration) return;
        this.resetJoin(entry);
        void this.join(entry);
      });
    }
  }

  /** The room is idle when every one of our tabs in it is; tells the server when that changes. */
  private syncIdle(entry: RoomEntry | null): void {
    if (!entry) return;
    const idle = entry.tabs.size > 0 && [...entry.tabs].every((tabId) => this.state.tabs.get(tabId)?.idle);
    if (idle === entry.idle) return;
    entry.idle = idle;
    if (entry.joined && entry.room)
      this.connection.rooms?.emit('presence:update', { room: entry.room, idle });
  }

  private cancelClose(): void {
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
  }

  private scheduleCloseIfUnused(): void {
    if (this.state.rooms.size > 0 || this.outbox.size > 0) return;
    this.cancelClose();
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      if (this.state.rooms.size === 0 && this.outbox.size === 0) this.closeConnection();
    }, CLOSE_DELAY_MS);
  }

  /** Joins the entry's room once; callers during a join share its answer (null: not connected). */
  private join(entry: RoomEntry): Promise<Outcome<null> | null> {
    if (entry.joined) return Promise.resolve(ok(null));
    if (entry.joinPromise) return entry.joinPromise;
    const rooms = this.connection.rooms;
    if (!rooms || !this.isCurrent(entry)) return Promise.resolve(null);
    const promise = this.joinOnce(entry, rooms).finally(() => {
      if (entry.joinPromise === promise) entry.joinPromise = null;
    });
    entry.joinPromise = promise;
    return promise;
  }

  private async joinOnce(entry: RoomEntry, rooms: RoomsSocket): Promise<Outcome<null> | null> {
    entry.joining = true;
    const generation = entry.joinGeneration;
    // Packed cursor batches: one frame per room and tick serves everyone (issue 6).
    const payload: RoomJoin = { page: entry.page, channel: entry.channel, cursorFormat: 'packed' };
    if (entry.inviteKey) payload.key = entry.inviteKey;
    const result = await request(
      () => rooms.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', payload),
      RoomJoined,
    );
    if (generation !== entry.joinGeneration) return null;
    entry.joining = false;
    if (!this.isCurrent(entry)) {
      // Every tab left while we were joining.
      if (result.ok) rooms.emit('room:leave', { room: result.value.room });
      return null;
    }
    if (!result.ok) {
      entry.error = result.error.message;
      this.changed();
      return result;
    }
    const { room, roomNo, self, peers } = result.value;
    Object.assign(entry, { joined: true, room, roomNo: roomNo ?? null, self, error: null });
    // A fresh membership starts active on the server; restore what our tabs said.
    if (entry.idle) rooms.emit('presence:update', { room, idle: true });
    entry.peers = new Map(peers.filter((peer) => peer.id !== self.id).map((peer) => [peer.id, peer]));
    this.sendSession(entry);
    updateBadges(this.api, entry.tabs, entry);
    this.changed();
    void this.subscribe(entry);
    return ok(null);
  }

  private async subscribe(entry: RoomEntry): Promise<void> {
    const notes = this.connection.notes;
    const room = entry.room;
    if (!notes || !room || !entry.joined || entry.subscribed || entry.subscribing) return;
    entry.subscribing = true;
    const generation = entry.notesGeneration;
    const stale = () => generation !== entry.notesGeneration || !this.isCurrent(entry);
    if (!entry.cacheRead) {
      // A worker Chrome stopped may have left the room's notes and revision behind.
      entry.cacheRead = true;
      const server = this.connection.url;
      const cached = server === null ? null : await this.notesCache.load(server, room);
      if (stale()) return;
      if (cached && entry.revision === 0) {
        for (const note of cached.notes) this.applyNote(entry, note, false);
        this.caughtUp(entry, cached.revision);
      }
    }
    // Only the changes after the revision we hold, from whichever node we reached (issue 12);
    // with nothing held, the whole room. Tabs that have no set yet get the whole one at the
    // end (from what we held and the changes); otherwise each change as it comes, as if it
    // were a note event.
    const since = entry.revision;
    let whole = !entry.shown;
    // Pages and note events are applied in the order they arrive, a note only over an older
    // revision of it, so a note changed while we page ends up as it is now (issues 10, 12).
    const result = await subscribeAll(notes, { ...this.subscription(room, entry), since }, (page) => {
      if (stale()) return;
      if (page.reset) {
        // Our revision is not one of this server's: what we hold is void.
        Object.assign(entry, { notes: new Map(), revision: 0, seen: new Set(), gone: new Set() });
        whole = true;
      }
      for (const note of page.notes) this.applyNote(entry, note, !whole);
      for (const id of page.deleted) this.applyDeletion(entry, id, !whole);
    });
    if (stale()) return;
    entry.subscribing = false;
    if (!result.ok) {
      entry.error = result.error.message;
      this.changed();
      return;
    }
    entry.subscribed = true;
    this.caughtUp(entry, result.value.revision);
    if (whole) {
      this.broadcast(entry, { type: 'notes', room, notes: [...entry.notes.values()] });
      entry.shown = true;
    }
  }

  /** Something of the room's notes or revision changed: the cache keeps it for the next worker. */
  private keep(entry: RoomEntry): void {
    const server = this.connection.url;
    // Before the cache was read back, writing would replace it with less.
    if (server === null || entry.room === null || !entry.cacheRead) return;
    this.notesCache.save(server, entry.room, () => ({
      revision: entry.revision,
      notes: [...entry.notes.values()],
    }));
  }

  /**
   * Keeps a note unless we hold it at the same or a newer revision, or it was deleted; tells
   * the room's tabs when `post`. Events, acks and pages may bring one note in any order.
   */
  private applyNote(entry: RoomEntry, note: Note, post = true): void {
    if (entry.gone.has(note.id)) return;
    const held = entry.notes.get(note.id)?.revision;
    if (held !== undefined && note.revision !== undefined && note.revision <= held) return;
    entry.notes.set(note.id, note);
    this.keep(entry);
    if (post && entry.room) this.broadcast(entry, { type: 'note:upsert', room: entry.room, note });
  }

  /** Forgets a deleted note for good and, when `post`, takes it off the room's tabs. */
  private applyDeletion(entry: RoomEntry, id: string, post = true): void {
    entry.gone.add(id);
    if (entry.gone.size > MAX_REMEMBERED) entry.gone.delete(entry.gone.values().next().value!);
    entry.notes.delete(id);
    this.keep(entry);
    if (post && entry.room) this.broadcast(entry, { type: 'note:removed', room: entry.room, id });
  }

  /**
   * We applied the change of `revision` (a note event, or the ack of our own write). The
   * revision we hold moves over it only with no gap left: with several server nodes, events
   * can arrive out of revision order, and a gap is a change we have not seen (issue 12).
   */
  private saw(entry: RoomEntry, revision: number | undefined): void {
    if (revision === undefined || revision <= entry.revision) return;
    if (entry.seen.size >= MAX_REMEMBERED) entry.seen.clear();
    entry.seen.add(revision);
    while (entry.seen.delete(entry.revision + 1)) entry.revision += 1;
    this.keep(entry);
  }

  /** A subscribe answered every change up to `revision`. */
  private caughtUp(entry: RoomEntry, revision: number): void {
    entry.revision = Math.max(entry.revision, revision);
    for (const seen of entry.seen) if (seen <= entry.revision) entry.seen.delete(seen);
    while (entry.seen.delete(entry.revision + 1)) entry.revision += 1;
    this.keep(entry);
  }

  /** What `notes:subscribe` needs for a room: its invite key too when it is private. */
  private subscription(room: string, entry: RoomEntry | undefined): NotesSubscribe {
    return entry?.inviteKey ? { room, key: entry.inviteKey } : { room };
  }

  private leaveRoom(entry: RoomEntry): void {
    if (entry.joined && entry.room) {
      this.connection.rooms?.emit('room:leave', { room: entry.room });
      this.connection.notes?.emit('notes:unsubscribe', { room: entry.room });
    }
    const server = this.connection.url;
    // Not kept after we leave: storage.session is small, and an unsubscribed cache goes stale.
    if (server !== null && entry.room !== null) this.notesCache.forget(server, entry.room);
    this.resetJoin(entry);
    this.resetNotes(entry);
  }

  /** A namespace dropped: the server forgot our membership there; rejoin on reconnect. */
  private lost(namespace: 'rooms' | 'notes'): void {
    for (const entry of this.state.rooms.values()) {
      if (namespace === 'notes') {
        this.resetNotes(entry);
        continue;
      }
      this.resetJoin(entry);
      if (entry.room) this.broadcast(entry, { type: 'peers', room: entry.room, peers: [] });
      updateBadges(this.api, entry.tabs, null);
    }
    this.changed();
  }

  private resetJoin(entry: RoomEntry): void {
    entry.joined = false;
    entry.joining = false;
    entry.joinPromise = null;
    entry.joinGeneration += 1;
    entry.peers.clear();
    entry.roomNo = null;
    entry.paths.clear();
  }

  private resetNotes(entry: RoomEntry): void {
    entry.subscribed = false;
    entry.subscribing = false;
    entry.notesGeneration += 1;
  }

  private isCurrent(entry: RoomEntry): boolean {
    return this.state.rooms.get(entry.key) === entry;
  }

  private joinedRoomId(tabId: number): string | null {
    const entry = this.state.roomOf(tabId);
    return entry?.joined && entry.room ? entry.room : null;
  }

  // -------------------------------------------------------------------------
  // Notes from tabs

  /** Worker start: load what a previous instance left in the outbox and send it. */
  async resumeOutbox(): Promise<void> {
    await this.outbox.loaded();
    if (this.outbox.size === 0) return;
    await this.openConnection();
    void this.outbox.flush();
  }

  /** "Add note here" from the context menu or the keyboard shortcut. */
  composePoint(tabId: number): void {
    post(this.state.tabs.get(tabId)?.port, { type: 'note:compose-point' });
  }

  /** The room a tab writes notes to: the server's id once joined, else the same id computed locally. */
  private noteRoom(tabId: number): string | null {
    const entry = this.state.roomOf(tabId);
    return entry ? (entry.room ?? entry.key) : null;
  }

  private async createNote(tabId: number, port: PortLike, message: NoteCreateMessage): Promise<void> {
    const room = this.noteRoom(tabId);
    if (!room) {
      post(port, { type: 'note:error', message: 'Turn sharing on for this site to add notes.' });
      return;
    }
    const settings = await this.settings.load();
    const payload = {
      room,
      opId: randomId(16),
      anchor: message.anchor,
      body: message.body,
      // A reply is not highlighted; it has no colour of its own.
      ...(message.parentId ? { parentId: message.parentId } : { color: message.color ?? settings.color }),
    } satisfies NoteCreate;
    await this.enqueue(port, { kind: 'create', opId: payload.opId, payload });
  }

  private async changeNote(
    tabId: number,
    port: PortLike,
    message: Extract<ContentToWorker, { type: 'note:update' | 'note:delete' }>,
  ): Promise<void> {
    const room = this.noteRoom(tabId);
    if (!room) return;
    const opId = randomId(16);
    const { id, version } = message;
    await this.enqueue(
      port,
      message.type === 'note:update'
        ? { kind: 'update', opId, payload: { room, id, version, body: message.body, opId } }
        : { kind: 'delete', opId, payload: { room, id, version, opId } },
    );
  }

  /** Writes the op to the outbox before anything is sent; a storage failure is the user's to know. */
  private async enqueue(port: PortLike, op: OutboxOp): Promise<void> {
    try {
      await this.outbox.add(op);
    } catch {
      post(port, { type: 'note:error', message: 'The note could not be stored in the browser; try again.' });
    }
  }

  /** The outbox's way to the server: subscribed to the op's room, and leaving it again if no tab wants it. */
  private async sendOp(op: OutboxOp): Promise<Result<unknown> | null> {
    const notes = this.connection.notes;
    if (!notes) {
      void this.openConnection();
      return null;
    }
    const room = op.payload.room;
    const inUse = () => this.state.byRoomId(room) ?? this.state.rooms.get(room);
    if (!inUse()?.subscribed) {
      const subscribed = await subscribeAll(notes, this.subscription(room, inUse()));
      if (!subscribed.ok) return subscribed;
    }
    const timed = notes.timeout(ACK_TIMEOUT_MS);
    const result: Result<unknown> =
      op.kind === 'create'
        ? await request(() => timed.emitWithAck('note:create', op.payload), Note)
        : op.kind === 'update'
          ? await request(() => timed.emitWithAck('note:update', op.payload), Note)
          : await request(() => timed.emitWithAck('note:delete', op.payload), NoteDeletedAck);
    if (!inUse()) notes.emit('notes:unsubscribe', { room });
    return result;
  }

  private delivered(op: OutboxOp, value: unknown): void {
    const entry = this.state.byRoomId(op.payload.room);
    if (!entry?.room) return;
    if (op.kind === 'delete') {
      this.applyDeletion(entry, op.payload.id);
      this.saw(entry, NoteDeletedAck.parse(value).revision);
      return;
    }
    // The server broadcasts note:created/updated only to the others; our own tabs hear it here.
    const note = Note.parse(value);
    this.applyNote(entry, note);
    this.saw(entry, note.revision);
  }

  /** A refusal retrying cannot fix: show it, and for a stale edit show the note as it is now. */
  private async refused(op: OutboxOp, error: AckError): Promise<void> {
    const room = op.payload.room;
    const entry = this.state.byRoomId(room) ?? this.state.rooms.get(room);
    if (!entry) return;
    if (error.code === 'conflict' && op.kind !== 'create') {
      const notes = this.connection.notes;
      const current = notes ? await subscribeAll(notes, this.subscription(room, entry)) : null;
      // A note changed while the pages were read comes twice; the later one is newer.
      const theirs = current?.ok
        ? (current.value.notes.findLast((note) => note.id === op.payload.id) ?? null)
        : null;
      if (theirs) this.applyNote(entry, theirs, false);
      this.broadcast(entry, {
        type: 'note:conflict',
        room,
        id: op.payload.id,
        mine: op.kind === 'update' ? op.payload.body : '',
        theirs,
      });
      return;
    }
    const what =
      op.kind === 'create'
        ? 'The note was not saved'
        : op.kind === 'update'
          ? 'The edit was not saved'
          : 'The note was not deleted';
    this.broadcast(entry, { type: 'note:error', message: `${what}: ${error.message}` });
  }

  private pendingOps(room: string): PendingOp[] {
    return this.outbox.pending(room).map((op): PendingOp => {
      switch (op.kind) {
        case 'create': {
          const { body, anchor, color, parentId } = op.payload;
          return { opId: op.opId, kind: 'create', body, anchor, color, parentId };
        }
        case 'update':
          return { opId: op.opId, kind: 'update', id: op.payload.id, body: op.payload.body };
        case 'delete':
          return { opId: op.opId, kind: 'delete', id: op.payload.id };
      }
    });
  }

  private pendingChanged(room: string): void {
    const entry = this.state.byRoomId(room) ?? this.state.rooms.get(room);
    if (entry) this.broadcast(entry, { type: 'notes:pending', room, ops: this.pendingOps(room) });
    if (this.outbox.size === 0) this.scheduleCloseIfUnused();
  }

  /** Export and import of the tab's room as W3C Web Annotations (server-side conversion). */
  private async transfer(
    tabId: number,
    port: PortLike,
    message: Extract<ContentToWorker, { type: 'notes:export' | 'notes:import' }>,
  ): Promise<void> {
    const entry = this.state.roomOf(tabId);
    const notes = this.connection.notes;
    const room = entry?.subscribed ? entry.room : null;
    if (!room || !notes) {
      post(port, { type: 'note:error', message: 'Not connected to the server.' });
      return;
    }
    // Both go in bounded pieces, as many as the room or the file needs (issue 10).
    if (message.type === 'notes:export') {
      const result = await exportAll(notes, room);
      if (result.ok) post(port, { type: 'notes:exported', room, collection: result.value });
      else post(port, { type: 'note:error', message: `Export failed: ${result.error.message}` });
      return;
    }
    const result = await importAll(notes, room, message.collection);
    if (result.ok) post(port, { type: 'notes:imported', room, ...result.value });
    else post(port, { type: 'note:error', message: `Import failed: ${result.error.message}` });
  }

  // -------------------------------------------------------------------------
  // Server -> tabs

  private bind(rooms: RoomsSocket, notes: NotesSocket): void {
    rooms.on('presence:joined', (raw) => this.onPeer(PresenceJoined.safeParse(raw).data));
    rooms.on('presence:updated', (raw) => this.onPeer(PresenceUpdated.safeParse(raw).data));
    rooms.on('presence:left', (raw) => {
      const event = PresenceLeft.safeParse(raw).data;
      const entry = event && this.state.byRoomId(event.room);
      if (!event || !entry?.joined || !entry.peers.delete(event.peerId)) return;
      this.sendPeers(entry);
    });
    rooms.on('cursor:batch', (raw) => {
      const batch = CursorBatch.safeParse(raw).data;
      const entry = batch && this.state.byRoomId(batch.room);
      if (!batch || !entry?.joined) return;
      const cursors = batch.cursors.filter((item) => item.peerId !== entry.self?.id);
      if (cursors.length > 0) this.broadcast(entry, { type: 'cursors', room: batch.room, cursors });
    });
    rooms.on('cursor:paths', (raw) => {
      const event = CursorPaths.safeParse(raw).data;
      const entry = event && this.state.byRoomId(event.room);
      if (event && entry?.joined) learnPaths(entry, event);
    });
    rooms.on('cursor:packed', (raw) => {
      const read = readPackedBatch(raw, this.state.rooms.values());
      if (read?.entry.room && read.cursors.length > 0) {
        this.broadcast(read.entry, { type: 'cursors', room: read.entry.room, cursors: read.cursors });
      }
    });
    notes.on('note:created', (raw) => this.onNote(NoteChanged.safeParse(raw).data));
    notes.on('note:updated', (raw) => this.onNote(NoteChanged.safeParse(raw).data));
    notes.on('note:deleted', (raw) => {
      const event = NoteDeleted.safeParse(raw).data;
      const entry = event && this.state.byRoomId(event.room);
      if (!event || !entry) return;
      this.applyDeletion(entry, event.id);
      this.saw(entry, event.revision);
    });
  }

  private onPeer(event: { room: string; peer: Peer } | undefined): void {
    const entry = event && this.state.byRoomId(event.room);
    if (!event || !entry?.joined) return;
    if (event.peer.id === entry.self?.id) {
      entry.self = event.peer;
      this.sendSession(entry);
      this.changed();
      return;
    }
    entry.peers.set(event.peer.id, event.peer);
    this.sendPeers(entry);
  }

  private onNote(event: { room: string; note: Note } | undefined): void {
    const entry = event && this.state.byRoomId(event.room);
    if (!event || !entry) return;
    this.applyNote(entry, event.note);
    this.saw(entry, event.note.revision);
  }

  private sendPeers(entry: RoomEntry): void {
    if (!entry.room) return;
    this.broadcast(entry, { type: 'peers', room: entry.room, peers: [...entry.peers.values()] });
    updateBadges(this.api, entry.tabs, entry);
    this.changed();
  }

  /** Sends the room's session to one port, or to every tab of the room. */
  private sendSession(entry: RoomEntry, port?: PortLike | null): void {
    if (!entry.joined || !entry.room || !entry.self) return;
    const message: SessionMessage = {
      type: 'session',
      active: true,
      room: entry.room,
      page: entry.page,
      channel: entry.channel,
      self: entry.self,
      peers: [...entry.peers.values()],
    };
    if (port !== undefined) post(port, message);
    else this.broadcast(entry, message);
  }

  private broadcast(entry: RoomEntry, message: WorkerToContent): void {
    for (const port of this.state.portsOf(entry)) post(port, message);
  }
}
