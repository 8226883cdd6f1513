/**
 * Being in a room on `/rooms`: joining (once per open room, however many tabs wait for it),
 * leaving, keeping the membership alive and our idle state, and telling the room's tabs who
 * is there. The membership is an explicit state per open room (`idle | joining | joined`,
 * open-rooms.ts) with a generation bumped on every reset, so a join answered after the room
 * was left or the connection dropped changes nothing.
 */
import { serverErrorText } from '../shared/server-errors.js';
import { z } from 'zod';
import {
  KEEPALIVE_MS,
  ok,
  RoomJoined,
  type Peer,
  type PresenceLeft,
  type Result,
  type RoomJoin,
} from '../../protocol/index.js';
import type { ChromeApi, PortLike } from '../chrome-api.js';
import type { SessionMessage, ServerStateMessage } from '../shared/messages.js';
import { updateBadges } from './badge.js';
import { ACK_TIMEOUT_MS, request, type Connection, type RoomsSocket } from './connection.js';
import { joined, type OpenRoom } from './open-rooms.js';
import { post, type TabSessions } from './tab-sessions.js';

export interface MembershipHooks {
  /** The room was joined: its notes can be subscribed. */
  joined(entry: OpenRoom): void;
  /** Something the popup shows changed. */
  changed(): void;
}

export class RoomMembership {
  private keepAliveTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly api: ChromeApi,
    private readonly connection: Connection,
    private readonly sessions: TabSessions,
    private readonly hooks: MembershipHooks,
  ) {}

  /** Joins the room once; callers during a join share its answer (null: not connected, or the room closed). */
  join(entry: OpenRoom): Promise<Result<null> | null> {
    const membership = entry.membership;
    if (membership.state === 'joined') return Promise.resolve(ok(null));
    if (membership.state === 'joining') return membership.answer;
    const rooms = this.connection.rooms;
    if (!rooms || !this.sessions.isOpen(entry)) return Promise.resolve(null);
    const { generation } = membership;
    const answer = this.joinOnce(entry, rooms, generation);
    entry.membership = { state: 'joining', generation, answer };
    return answer;
  }

  private async joinOnce(
    entry: OpenRoom,
    rooms: RoomsSocket,
    generation: number,
  ): Promise<Result<null> | null> {
    // Packed cursor batches: one frame per room and tick serves everyone in it.
    const payload: RoomJoin = { page: entry.page, channel: entry.channel, cursorFormat: 'packed' };
    if (entry.inviteKey) payload.key = entry.inviteKey;
    const result = await request(
      () => rooms.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', payload),
      RoomJoined,
    );
    if (!this.sessions.isOpen(entry)) {
      // Every tab left while we were joining: leave again, unless the page's room was opened
      // anew meanwhile (its own join keeps us in).
      if (result.ok && rooms.connected && !this.sessions.rooms.has(entry.key)) {
        rooms.emit('room:leave', { room: result.value.room });
      }
      return null;
    }
    if (entry.membership.generation !== generation) return null;
    if (!result.ok) {
      entry.membership = { state: 'idle', generation };
      entry.error = serverErrorText(result.error);
      this.hooks.changed();
      return result;
    }
    const { room, roomNo, self, peers } = result.value;
    entry.room = room;
    entry.error = null;
    entry.membership = {
      state: 'joined',
      generation,
      self,
      peers: new Map(peers.filter((peer) => peer.id !== self.id).map((peer) => [peer.id, peer])),
      roomNo: roomNo ?? null,
      paths: new Map(),
    };
    // A fresh membership starts active on the server; restore what our tabs said.
    if (entry.reportedIdle) rooms.emit('presence:update', { room, idle: true });
    this.sendSession(entry);
    updateBadges(this.api, entry.tabs, entry);
    this.hooks.changed();
    this.hooks.joined(entry);
    return ok(null);
  }

  /** `/rooms` connected (again): every open room joins. */
  joinAll(): void {
    for (const entry of this.sessions.rooms.values()) void this.join(entry);
  }

  /** The room closed (its last tab left): leave it on the server. */
  leave(entry: OpenRoom): void {
    if (joined(entry) && entry.room) this.connection.rooms?.emit('room:leave', { room: entry.room });
    this.reset(entry);
  }

  /** `/rooms` dropped: the server forgot every membership; the tabs see nobody until we are back. */
  dropped(): void {
    for (const entry of this.sessions.rooms.values()) {
      this.reset(entry);
      if (entry.room) this.sessions.broadcast(entry, { type: 'peers', room: entry.room, peers: [] });
      updateBadges(this.api, entry.tabs, null);
    }
    this.hooks.changed();
  }

  /** Every membership reset (another server): the next join starts afresh. */
  resetAll(): void {
    for (const entry of this.sessions.rooms.values()) {
      this.reset(entry);
      entry.error = null;
    }
  }

  private reset(entry: OpenRoom): void {
    entry.membership = { state: 'idle', generation: entry.membership.generation + 1 };
  }

  // -------------------------------------------------------------------------
  // Keep-alive and idle

  /** Keep-alives run while the connection is open. */
  startKeepAlive(): void {
    this.keepAliveTimer ??= setInterval(() => this.keepAlive(), KEEPALIVE_MS);
  }

  stopKeepAlive(): void {
    if (this.keepAliveTimer !== null) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
  }

  /**
   * Tells every joined room we are still here (our idle state, unchanged). A `forbidden`
   * answer means the server dropped us (its presence TTL): join again. Keeps the background
   * awake too, or Firefox suspends it, closing the connection, while no tab sends anything.
   */
  private keepAlive(): void {
    this.api.keepBackgroundAwake();
    const rooms = this.connection.rooms;
    if (!rooms) return;
    for (const entry of this.sessions.rooms.values()) {
      const room = entry.room;
      if (!joined(entry) || !room) continue;
      const { generation } = entry.membership;
      void request(
        () =>
          rooms.timeout(ACK_TIMEOUT_MS).emitWithAck('presence:update', { room, idle: entry.reportedIdle }),
        z.null(),
      ).then((result) => {
        if (result.ok || result.error.code !== 'forbidden' || generation !== entry.membership.generation)
          return;
        this.reset(entry);
        void this.join(entry);
      });
    }
  }

  /** The room is idle when every one of our tabs in it is; tells the server when that changes. */
  syncIdle(entry: OpenRoom | null): void {
    if (!entry) return;
    const idle = entry.tabs.size > 0 && [...entry.tabs].every((tabId) => this.sessions.tabs.get(tabId)?.idle);
    if (idle === entry.reportedIdle) return;
    entry.reportedIdle = idle;
    if (joined(entry) && entry.room)
      this.connection.rooms?.emit('presence:update', { room: entry.room, idle });
  }

  /** New name or colour: every joined room hears it now, and our tabs show it. */
  announceProfile(name: string, color: string): void {
    const rooms = this.connection.rooms;
    for (const entry of this.sessions.rooms.values()) {
      const membership = joined(entry);
      if (!membership || !entry.room) continue;
      rooms?.emit('presence:update', { room: entry.room, name, color });
      membership.self = { ...membership.self, name, color };
      this.sendSession(entry);
    }
  }

  // -------------------------------------------------------------------------
  // Who is here

  /** `presence:joined` / `presence:updated`: a peer came or changed (ourselves included). */
  peerChanged(event: { room: string; peer: Peer }): void {
    const entry = this.sessions.byRoomId(event.room);
    const membership = joined(entry);
    if (!entry || !membership) return;
    if (event.peer.id === membership.self.id) {
      membership.self = event.peer;
      this.sendSession(entry);
      this.hooks.changed();
      return;
    }
    membership.peers.set(event.peer.id, event.peer);
    this.sendPeers(entry);
  }

  /** `presence:left`. */
  peerLeft(event: PresenceLeft): void {
    const entry = this.sessions.byRoomId(event.room);
    if (!entry || !joined(entry)?.peers.delete(event.peerId)) return;
    this.sendPeers(entry);
  }

  private sendPeers(entry: OpenRoom): void {
    const membership = joined(entry);
    if (!entry.room || !membership) return;
    this.sessions.broadcast(entry, {
      type: 'peers',
      room: entry.room,
      peers: [...membership.peers.values()],
    });
    updateBadges(this.api, entry.tabs, entry);
    this.hooks.changed();
  }

  /** Sends the room's session to one port, or to every tab of the room. */
  sendSession(entry: OpenRoom, port?: PortLike | null): void {
    const membership = joined(entry);
    if (!membership || !entry.room) return;
    const message: SessionMessage = {
      type: 'session',
      active: true,
      room: entry.room,
      page: entry.page,
      channel: entry.channel,
      self: membership.self,
      peers: [...membership.peers.values()],
    };
    if (port !== undefined) post(port, message);
    else this.sessions.broadcast(entry, message);
  }

  /**
   * What a tab in the room should say about the server: `online` once the room is joined,
   * else `offline` while the server cannot be reached, else `connecting`.
   */
  serverState(entry: OpenRoom): ServerStateMessage['state'] {
    if (joined(entry)) return 'online';
    return this.connection.status === 'offline' ? 'offline' : 'connecting';
  }

  /** Tells one tab, or every tab of every open room, how the server is reached. */
  sendServerState(entry?: OpenRoom, port?: PortLike | null): void {
    if (entry && port !== undefined) {
      post(port, { type: 'server', state: this.serverState(entry) });
      return;
    }
    for (const open of this.sessions.rooms.values()) {
      this.sessions.broadcast(open, { type: 'server', state: this.serverState(open) });
    }
  }
}
