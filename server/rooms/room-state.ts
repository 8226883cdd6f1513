/**
 * In-memory state of namespace /rooms on this process: who is in which room (a peer
 * may hold several sockets, e.g. after a reconnect the old one is not yet timed out),
 * each peer's latest cursor per room, and which cursors changed since the last flush.
 * Pure bookkeeping: no timers, no sockets, so the handlers decide what goes on the wire.
 * Time comes in as arguments (`now`), so the presence TTL is testable without waiting.
 */
import type { Cursor, CursorEntry, Peer, RoomSummary } from '../../protocol/index.js';
import type { RoomAddress } from '../room-access.js';

interface Member {
  peer: Peer;
  sockets: Set<string>;
  cursor: Cursor | null;
}

interface Room extends RoomAddress {
  id: string;
  members: Map<string, Member>;
  /** Peer ids whose cursor changed since the last flush. */
  dirty: Set<string>;
  /** Sockets that joined since the last flush and need every current cursor once. */
  newcomers: Set<string>;
  /** The flush counter value before which this room is not flushed again (large rooms, issue 3). */
  nextFlush: number;
}

/**
 * Rooms with more members than this are flushed less often: one batch goes to every
 * member, so the messages per tick grow with the square of the room. A room of `n`
 * members is flushed every `ceil(n / LARGE_ROOM_MEMBERS)` ticks, which keeps the
 * messages per second of one room roughly flat instead of flooding.
 */
export const LARGE_ROOM_MEMBERS = 50;

/** Ticks between two flushes of a room of `members` peers. */
export function flushEvery(members: number): number {
  return Math.max(1, Math.ceil(members / LARGE_ROOM_MEMBERS));
}

/** One room's share of a flush. */
export interface CursorFlush {
  room: string;
  /** Changed cursors; null for a hidden cursor or a peer who left. */
  changed: CursorEntry[];
  /** Sockets of peers with an entry in `changed`, mapped to that peer: they must not see it. */
  senders: Map<string, string>;
  /** Newcomer sockets mapped to every current cursor except their own peer's. */
  snapshots: Map<string, CursorEntry[]>;
}

export interface JoinOutcome {
  self: Peer;
  /** Everyone else in the room. */
  peers: Peer[];
  /** True when this peer was not in the room before, so others must hear of it. */
  arrived: boolean;
}

export interface LeaveOutcome {
  room: string;
  peerId: string;
  /** True when the peer's last socket left, so others must hear of it. */
  departed: boolean;
}

export class RoomState {
  private readonly rooms = new Map<string, Room>();
  /** Room ids per page, for `room:list`. */
  private readonly byPage = new Map<string, Set<string>>();
  /** The peer and rooms of every socket that joined something. */
  /** Per socket: its peer, and per joined room when it was last heard of there (ms). */
  private readonly sockets = new Map<string, { peerId: string; rooms: Map<string, number> }>();
  private readonly dirtyRooms = new Set<string>();
  /** Number of takeFlush calls so far: the tick clock of large-room slowing. */
  private flushCount = 0;

  /** @param onDirty called whenever a flush has work to do; the flusher starts its timer then. */
  constructor(private readonly onDirty: () => void) {}

  join(room: string, address: RoomAddress, socketId: string, peer: Peer, now = Date.now()): JoinOutcome {
    const state = this.rooms.get(room) ?? this.createRoom(room, address);
    const entry = this.sockets.get(socketId) ?? { peerId: peer.id, rooms: new Map<string, number>() };
    this.sockets.set(socketId, entry);
    entry.rooms.set(room, now);
    let member = state.members.get(peer.id);
    const arrived = member === undefined;
    if (!member) {
      member = { peer, sockets: new Set(), cursor: null };
      state.members.set(peer.id, member);
    }
    if (!member.sockets.has(socketId)) {
      member.sockets.add(socketId);
      state.newcomers.add(socketId);
      this.markDirty(state);
    }
    const peers = [...state.members.values()].filter((m) => m !== member).map((m) => m.peer);
    return { self: member.peer, peers, arrived };
  }

  /** Null when the socket was not in the room. */
  leave(room: string, socketId: string): LeaveOutcome | null {
    const entry = this.sockets.get(socketId);
    const state = this.rooms.get(room);
    if (!entry?.rooms.delete(room) || !state) return null;
    if (entry.rooms.size === 0) this.sockets.delete(socketId);
    state.newcomers.delete(socketId);
    const member = state.members.get(entry.peerId);
    member?.sockets.delete(socketId);
    const departed = member !== undefined && member.sockets.size === 0;
    if (departed) {
      state.members.delete(entry.peerId);
      // Others still show this cursor; the next flush tells them it is gone.
      state.dirty.add(entry.peerId);
      this.markDirty(state);
    }
    return { room, peerId: entry.peerId, departed };
  }

  leaveAll(socketId: string): LeaveOutcome[] {
    const rooms = [...(this.sockets.get(socketId)?.rooms.keys() ?? [])];
    return rooms.flatMap((room) => this.leave(room, socketId) ?? []);
  }

  /**
   * The peer id of the socket when it is in the room, else null. Every message a socket
   * sends about a room goes through here, so it also marks the socket as alive there.
   */
  peerIn(room: string, socketId: string, now = Date.now()): string | null {
    const entry = this.sockets.get(socketId);
    if (!entry?.rooms.has(room)) return null;
    entry.rooms.set(room, now);
    return entry.peerId;
  }

  /** The peer after the patch, and whether anything really changed (only then is it broadcast). */
  updatePeer(
    room: string,
    peerId: string,
    patch: Partial<Omit<Peer, 'id'>>,
  ): { peer: Peer; changed: boolean } | null {
    const member = this.rooms.get(room)?.members.get(peerId);
    if (!member) return null;
    const next = { ...member.peer, ...patch };
    const changed = (Object.keys(next) as Array<keyof Peer>).some((key) => next[key] !== member.peer[key]);
    member.peer = next;
    return { peer: next, changed };
  }

  /**
   * Memberships not heard of for longer than `ttlMs`: the presence time-to-live that
   * backstops explicit leaves and disconnects (a socket that stays open but whose
   * client forgot the room, or a half-open connection the transport has not noticed).
   */
  expired(now: number, ttlMs: number): Array<{ room: string; socketId: string }> {
    const stale: Array<{ room: string; socketId: string }> = [];
    for (const [socketId, entry] of this.sockets) {
      for (const [room, seen] of entry.rooms) if (now - seen > ttlMs) stale.push({ room, socketId });
    }
    return stale;
  }

  setCursor(room: string, peerId: string, cursor: Cursor | null): boolean {
    const state = this.rooms.get(room);
    const member = state?.members.get(peerId);
    if (!state || !member) return false;
    member.cursor = cursor;
    state.dirty.add(peerId);
    this.markDirty(state);
    return true;
  }

  /** The rooms of a page with their head counts. */
  summaries(page: string): Array<RoomSummary & RoomAddress> {
    return [...(this.byPage.get(page) ?? [])].flatMap((id) => {
      const room = this.rooms.get(id);
      return room ? [{ room: id, page, channel: room.channel, count: room.members.size }] : [];
    });
  }

  /** Everything that changed since the last call, and resets it. Empty when idle. */
  takeFlush(): CursorFlush[] {
    const tick = this.flushCount++;
    const flushes: CursorFlush[] = [];
    for (const id of this.dirtyRooms) {
      const room = this.rooms.get(id);
      // A large room that flushed recently stays dirty and goes out on a later tick.
      if (room && tick < room.nextFlush) continue;
      this.dirtyRooms.delete(id);
      if (!room) continue;
      room.nextFlush = tick + flushEvery(room.members.size);
      flushes.push(this.flushRoom(room));
    }
    return flushes;
  }

  /** True while some room waits for a later tick; the flusher keeps its timer running. */
  hasPending(): boolean {
    return this.dirtyRooms.size > 0;
  }

  private flushRoom(room: Room): CursorFlush {
    const changed = [...room.dirty].map((peerId) => ({
      peerId,
      cursor: room.members.get(peerId)?.cursor ?? null,
    }));
    const senders = new Map<string, string>();
    for (const { peerId } of changed) {
      for (const socketId of room.members.get(peerId)?.sockets ?? []) senders.set(socketId, peerId);
    }
    const snapshots = new Map<string, CursorEntry[]>();
    for (const socketId of room.newcomers) {
      const own = this.sockets.get(socketId)?.peerId;
      const current = [...room.members.values()]
        .filter((m) => m.cursor !== null && m.peer.id !== own)
        .map((m) => ({ peerId: m.peer.id, cursor: m.cursor }));
      snapshots.set(socketId, current);
      senders.delete(socketId);
    }
    room.dirty.clear();
    room.newcomers.clear();
    this.dropIfEmpty(room);
    return { room: room.id, changed, senders, snapshots };
  }

  private createRoom(id: string, address: RoomAddress): Room {
    const room: Room = {
      id,
      ...address,
      members: new Map(),
      dirty: new Set(),
      newcomers: new Set(),
      nextFlush: 0,
    };
    this.rooms.set(id, room);
    const ids = this.byPage.get(address.page) ?? new Set<string>();
    ids.add(id);
    this.byPage.set(address.page, ids);
    return room;
  }

  /** Forgets an empty room, but only once its last cursor removal has been flushed. */
  private dropIfEmpty(room: Room): void {
    if (room.members.size > 0 || room.dirty.size > 0) return;
    this.rooms.delete(room.id);
    const ids = this.byPage.get(room.page);
    ids?.delete(room.id);
    if (ids?.size === 0) this.byPage.delete(room.page);
  }

  private markDirty(room: Room): void {
    this.dirtyRooms.add(room.id);
    this.onDirty();
  }
}
