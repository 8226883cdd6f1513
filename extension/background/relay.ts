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
  Note,
  NoteChanged,
  NoteDeleted,
  PresenceJoined,
  PresenceLeft,
  PresenceUpdated,
  RoomJoined,
  type NoteCreate,
  type Peer,
} from '../../protocol/index.js';
import type { ChromeApi, PortLike } from '../chrome-api.js';
import {
  ContentToWorker,
  PORT_NAME,
  type NoteCreateMessage,
  type SessionMessage,
  type WorkerToContent,
} from '../shared/messages.js';
import { updateBadges } from './badge.js';
import { ACK_TIMEOUT_MS, Connection, request, type NotesSocket, type RoomsSocket } from './connection.js';
import { randomId } from './random-id.js';
import type { SettingsStore } from './settings.js';
import { describePage, TabRooms, type RoomEntry } from './tab-rooms.js';

/** How long the connection stays open after the last tab left, so a navigation does not flap it. */
const CLOSE_DELAY_MS = 3_000;

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
  private closeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly api: ChromeApi,
    private readonly settings: SettingsStore,
    /** Called (coalesced by the caller) whenever something the popup shows changed. */
    private readonly changed: () => void,
  ) {
    this.state = new TabRooms(api);
    this.connection = new Connection({
      bind: (rooms, notes) => this.bind(rooms, notes),
      roomsConnected: () => {
        for (const entry of this.state.rooms.values()) void this.join(entry);
      },
      notesConnected: () => {
        for (const entry of this.state.rooms.values()) void this.subscribe(entry);
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
      case 'note:create':
        return this.createNote(tabId, port, message);
    }
  }

  private async hello(tabId: number, port: PortLike, url: string): Promise<void> {
    const tab = this.state.tab(tabId);
    Object.assign(tab, describePage(url));
    this.state.persist();
    const origin = tab.origin;
    const enabled = origin !== null && (await this.settings.isEnabled(origin));
    if (this.state.tabs.get(tabId)?.port !== port) return;
    if (enabled) {
      this.joinTab(tabId);
    } else {
      this.leaveTab(tabId);
      post(port, {
        type: 'session',
        active: false,
        reason: origin === null ? 'unsupported' : 'off',
      } satisfies SessionMessage);
    }
    this.changed();
  }

  /** Puts a tab (with a known, enabled page) in its room and brings it up to date. */
  private joinTab(tabId: number): void {
    const previous = this.state.roomOf(tabId);
    const entry = this.state.attach(tabId);
    if (previous && previous !== entry && previous.tabs.size === 0) this.leaveRoom(previous);
    if (!entry) return;
    this.cancelClose();
    const port = this.state.tabs.get(tabId)?.port;
    if (entry.joined) {
      this.sendSession(entry, port);
      if (entry.subscribed && entry.room) {
        post(port, { type: 'notes', room: entry.room, notes: [...entry.notes.values()] });
      }
      updateBadges(this.api, [tabId], entry);
    }
    void this.openConnection().then(() => this.join(entry));
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
    await this.settings.setEnabled(origin, enabled);
    for (const tab of [...this.state.tabs.values()]) {
      if (tab.origin !== origin || !tab.port) continue;
      if (enabled) this.joinTab(tab.tabId);
      else this.leaveTab(tab.tabId, true);
    }
    this.changed();
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
    this.connection.close();
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
    if (this.state.rooms.size === 0) return;
    this.connection.open(settings.serverUrl, auth);
  }

  private cancelClose(): void {
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
  }

  private scheduleCloseIfUnused(): void {
    if (this.state.rooms.size > 0) return;
    this.cancelClose();
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      if (this.state.rooms.size === 0) this.connection.close();
    }, CLOSE_DELAY_MS);
  }

  private async join(entry: RoomEntry): Promise<void> {
    const rooms = this.connection.rooms;
    if (!rooms || entry.joined || entry.joining || !this.isCurrent(entry)) return;
    entry.joining = true;
    const generation = entry.joinGeneration;
    const result = await request(
      () => rooms.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { page: entry.page }),
      RoomJoined,
    );
    if (generation !== entry.joinGeneration) return;
    entry.joining = false;
    if (!this.isCurrent(entry)) {
      // Every tab left while we were joining.
      if (result.ok) rooms.emit('room:leave', { room: result.value.room });
      return;
    }
    if (!result.ok) {
      entry.error = result.error.message;
      this.changed();
      return;
    }
    const { room, self, peers } = result.value;
    Object.assign(entry, { joined: true, room, self, error: null });
    entry.peers = new Map(peers.filter((peer) => peer.id !== self.id).map((peer) => [peer.id, peer]));
    this.sendSession(entry);
    updateBadges(this.api, entry.tabs, entry);
    this.changed();
    await this.subscribe(entry);
  }

  private async subscribe(entry: RoomEntry): Promise<void> {
    const notes = this.connection.notes;
    const room = entry.room;
    if (!notes || !room || !entry.joined || entry.subscribed || entry.subscribing) return;
    entry.subscribing = true;
    const generation = entry.notesGeneration;
    const result = await request(
      () => notes.timeout(ACK_TIMEOUT_MS).emitWithAck('notes:subscribe', { room }),
      z.array(Note),
    );
    if (generation !== entry.notesGeneration || !this.isCurrent(entry)) return;
    entry.subscribing = false;
    if (!result.ok) {
      entry.error = result.error.message;
      this.changed();
      return;
    }
    entry.subscribed = true;
    entry.notes = new Map(result.value.map((note) => [note.id, note]));
    this.broadcast(entry, { type: 'notes', room, notes: result.value });
  }

  private leaveRoom(entry: RoomEntry): void {
    if (entry.joined && entry.room) {
      this.connection.rooms?.emit('room:leave', { room: entry.room });
      this.connection.notes?.emit('notes:unsubscribe', { room: entry.room });
    }
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
    entry.joinGeneration += 1;
    entry.peers.clear();
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

  private async createNote(tabId: number, port: PortLike, message: NoteCreateMessage): Promise<void> {
    const entry = this.state.roomOf(tabId);
    const notes = this.connection.notes;
    const room = entry?.joined ? entry.room : null;
    if (!entry || !room || !notes) {
      post(port, { type: 'note:error', message: 'Not connected: the note was not saved.' });
      return;
    }
    const settings = await this.settings.load();
    const payload = {
      room,
      // Idempotency key; a persistent outbox will resend with the same one.
      opId: randomId(16),
      anchor: message.anchor,
      body: message.body,
      color: message.color ?? settings.color,
    } satisfies NoteCreate;
    const result = await request(
      () => notes.timeout(ACK_TIMEOUT_MS).emitWithAck('note:create', payload),
      Note,
    );
    if (!result.ok) {
      post(port, { type: 'note:error', message: `The note was not saved: ${result.error.message}` });
      return;
    }
    // The server broadcasts note:created only to the others; our own tabs hear it here.
    const current = this.state.byRoomId(result.value.room);
    if (!current) return;
    current.notes.set(result.value.id, result.value);
    this.broadcast(current, { type: 'note:upsert', room: result.value.room, note: result.value });
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
    notes.on('note:created', (raw) => this.onNote(NoteChanged.safeParse(raw).data));
    notes.on('note:updated', (raw) => this.onNote(NoteChanged.safeParse(raw).data));
    notes.on('note:deleted', (raw) => {
      const event = NoteDeleted.safeParse(raw).data;
      const entry = event && this.state.byRoomId(event.room);
      if (!event || !entry) return;
      entry.notes.delete(event.id);
      this.broadcast(entry, { type: 'note:removed', room: event.room, id: event.id });
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
    entry.notes.set(event.note.id, event.note);
    this.broadcast(entry, { type: 'note:upsert', room: event.room, note: event.note });
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
