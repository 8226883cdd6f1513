/**
 * In-memory state of namespace /rooms on this process: who is in which room (a peer
 * may hold several sockets, e.g. after a reconnect the old one is not yet timed out),
 * each peer's latest cursor per room, and which cursors changed since the last flush.
 * Pure bookkeeping: no timers, no sockets, so the handlers decide what goes on the wire.
 * Time comes in as arguments (`now`), so the presence TTL is testable without waiting.
 */
import type { Cursor, Peer, RoomSummary } from '../../protocol/index.js';
import type { CursorFormat, RoomCursors } from '../cursors/cursor-encoder.js';
import {
  createCursorEncoders,
  encodeRoom,
  forgetRoom,
  type CursorEncoders,
  type CursorFlush,
} from '../cursors/encoders.js';
import type { RoomAddress } from '../room-access.js';
import {
  flushEvery,
  type ClusterNumbers,
  type JoinOutcome,
  type LeaveOutcome,
  type Room,
  type Seat,
} from './room-model.js';

export type { CursorFormat } from '../cursors/cursor-encoder.js';
export type { CursorFlush } from '../cursors/encoders.js';
export {
  flushEvery,
  LARGE_PACKED_ROOM_MEMBERS,
  LARGE_ROOM_MEMBERS,
  type ClusterNumbers,
  type JoinOutcome,
  type LeaveOutcome,
  type Member,
  type Room,
  type Seat,
} from './room-model.js';

export class RoomState {
  protected readonly rooms = new Map<string, Room>();
  /** Room ids per page, for `room:list`. */
  private readonly byPage = new Map<string, Set<string>>();
  /**
   * Per socket that joined something: its remote address (limits.ts addressKey), and per
   * joined room its peer there (peer ids are per room) and when it was last heard
   * of there (ms).
   */
  protected readonly sockets = new Map<string, { remote: string; rooms: Map<string, Seat> }>();
  /** Memberships per remote address, across all its sockets and connections. */
  private readonly remoteRooms = new Map<string, number>();
  private readonly dirtyRooms = new Set<string>();
  /** Number of takeFlush calls so far: the tick clock of large-room slowing. */
  private flushCount = 0;
  /**
   * Room numbers handed out so far; never reused, so a late batch cannot land in another room.
   * In several-node mode the cluster numbers rooms; these are for an outage of Redis, from
   * 2^30 up so they never meet the cluster's.
   */
  protected roomNumbers = 0;

  /**
   * @param onDirty called whenever a flush has work to do; the flusher starts its timer then.
   * @param onEarlyFlush sends a room's flush made between ticks (see setCursor).
   * @param minFlushGapMs a room flushed less than this long ago merges instead of flushing early.
   * @param encoders turn a room's changes into each format's batch; the flusher sends them.
   */
  constructor(
    private readonly onDirty: () => void,
    private readonly onEarlyFlush: (flush: CursorFlush) => void = () => undefined,
    private readonly minFlushGapMs = Infinity,
    readonly encoders: CursorEncoders = createCursorEncoders(),
  ) {}

  /**
   * `remote` is the socket's remote address key: memberships are counted per address
   * ({@link roomsOfRemote}).
   */
  join(
    room: string,
    address: RoomAddress,
    socketId: string,
    peer: Peer,
    format: CursorFormat = 'objects',
    now = Date.now(),
    remote = 'unknown',
    numbers: ClusterNumbers | null = null,
  ): JoinOutcome {
    const state = this.rooms.get(room) ?? this.createRoom(room, address);
    if (numbers) state.no = numbers.roomNo;
    const entry = this.sockets.get(socketId) ?? { remote, rooms: new Map<string, Seat>() };
    this.sockets.set(socketId, entry);
    const seat = entry.rooms.get(room);
    if (seat) seat.seenAt = now;
    else {
      this.remoteRooms.set(entry.remote, this.roomsOfRemote(entry.remote) + 1);
      entry.rooms.set(room, { peerId: peer.id, seenAt: now });
    }
    let member = state.members.get(peer.id);
    const arrived = member === undefined;
    if (!member) {
      member = {
        peer: { ...peer, no: numbers?.peerNo ?? freeNumber(state) },
        sockets: new Set(),
        cursor: null,
      };
      state.members.set(peer.id, member);
    } else if (numbers && member.peer.no !== numbers.peerNo) {
      member.peer = { ...member.peer, no: numbers.peerNo };
    }
    // A socket may join again with another format; the latest join wins.
    (format === 'packed' ? state.objects : state.packed).delete(socketId);
    (format === 'packed' ? state.packed : state.objects).add(socketId);
    if (!member.sockets.has(socketId)) {
      member.sockets.add(socketId);
      state.newcomers.add(socketId);
      this.markDirty(state);
    }
    const peers = [...state.members.values()].filter((m) => m !== member).map((m) => m.peer);
    return { self: member.peer, peers, arrived, roomNo: state.no };
  }

  /** Null when the socket was not in the room. */
  leave(room: string, socketId: string): LeaveOutcome | null {
    const entry = this.sockets.get(socketId);
    const state = this.rooms.get(room);
    const seat = entry?.rooms.get(room);
    if (!entry || !seat || !state) return null;
    entry.rooms.delete(room);
    const { peerId } = seat;
    if (entry.rooms.size === 0) this.sockets.delete(socketId);
    const held = this.roomsOfRemote(entry.remote) - 1;
    if (held > 0) this.remoteRooms.set(entry.remote, held);
    else this.remoteRooms.delete(entry.remote);
    state.newcomers.delete(socketId);
    state.packed.delete(socketId);
    state.objects.delete(socketId);
    const member = state.members.get(peerId);
    member?.sockets.delete(socketId);
    const departed = member !== undefined && member.sockets.size === 0;
    if (departed) {
      state.members.delete(peerId);
      // Others still show this cursor; the next flush tells them it is gone.
      state.dirty.add(peerId);
      this.markDirty(state);
    }
    return { room, peerId, departed };
  }

  /** Rooms the sockets of a remote address are in, counted once per socket and room. */
  roomsOfRemote(remote: string): number {
    return this.remoteRooms.get(remote) ?? 0;
  }

  /** How many rooms the socket is in. */
  roomCount(socketId: string): number {
    return this.sockets.get(socketId)?.rooms.size ?? 0;
  }

  leaveAll(socketId: string): LeaveOutcome[] {
    return this.roomsOf(socketId).flatMap((room) => this.leave(room, socketId) ?? []);
  }

  /** The rooms the socket is in. */
  roomsOf(socketId: string): string[] {
    return [...(this.sockets.get(socketId)?.rooms.keys() ?? [])];
  }

  /** True when the socket is in the room (without marking it alive, unlike {@link peerIn}). */
  has(room: string, socketId: string): boolean {
    return this.sockets.get(socketId)?.rooms.has(room) ?? false;
  }

  /**
   * The peer id of the socket when it is in the room, else null. Every message a socket
   * sends about a room goes through here, so it also marks the socket as alive there.
   */
  peerIn(room: string, socketId: string, now = Date.now()): string | null {
    const seat = this.sockets.get(socketId)?.rooms.get(room);
    if (!seat) return null;
    seat.seenAt = now;
    return seat.peerId;
  }

  /** The peer after the patch, and whether anything really changed (only then is it broadcast). */
  updatePeer(
    room: string,
    peerId: string,
    patch: Partial<Omit<Peer, 'id' | 'no'>>,
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
      for (const [room, { seenAt }] of entry.rooms) if (now - seenAt > ttlMs) stale.push({ room, socketId });
    }
    return stale;
  }

  setCursor(room: string, peerId: string, cursor: Cursor | null, now = performance.now()): boolean {
    const state = this.rooms.get(room);
    const member = state?.members.get(peerId);
    if (!state || !member) return false;
    // The peer's previous position was never sent because the room's tick is late (the
    // event loop was busy for a moment): send the room's changes now instead of merging it
    // away. A room flushed less than a tick ago merges as before (a sender above TICK_HZ),
    // and so does a slowed large room. One early flush per room between two of its ticks:
    // on an overloaded server ticks are late all the time, and a flush per move would only
    // add writes; big merged batches are what keeps latency bounded then.
    if (
      state.dirty.has(peerId) &&
      !state.flushedEarly &&
      now - state.lastFlushAt >= this.minFlushGapMs &&
      flushEvery(state.members.size, state.objects.size === 0) === 1
    ) {
      this.onEarlyFlush(this.flushRoom(state, now));
      state.flushedEarly = true;
    }
    member.cursor = cursor;
    state.dirty.add(peerId);
    this.markDirty(state);
    return true;
  }

  /** The sockets of a member on this process (none when it is not in the room here). */
  socketsOf(room: string, peerId: string): string[] {
    return [...(this.rooms.get(room)?.members.get(peerId)?.sockets ?? [])];
  }

  /** The rooms of a page with their head counts. */
  summaries(page: string): Array<RoomSummary & RoomAddress> {
    return [...(this.byPage.get(page) ?? [])].flatMap((id) => {
      const room = this.rooms.get(id);
      return room ? [{ room: id, page, channel: room.channel, count: room.members.size }] : [];
    });
  }

  /** Everything that changed since the last call, and resets it. Empty when idle. */
  takeFlush(now = performance.now()): CursorFlush[] {
    const tick = this.flushCount++;
    const flushes: CursorFlush[] = [];
    for (const id of this.dirtyRooms) {
      const room = this.rooms.get(id);
      // A large room that flushed recently stays dirty and goes out on a later tick.
      if (room && tick < room.nextFlush) continue;
      this.dirtyRooms.delete(id);
      if (!room) continue;
      room.nextFlush = tick + flushEvery(room.members.size, room.objects.size === 0);
      room.flushedEarly = false;
      flushes.push(this.flushRoom(room, now));
    }
    return flushes;
  }

  /** True while some room waits for a later tick; the flusher keeps its timer running. */
  hasPending(): boolean {
    return this.dirtyRooms.size > 0;
  }

  private flushRoom(room: Room, now: number): CursorFlush {
    room.lastFlushAt = now;
    const remote = room.remote;
    room.remote = { packed: [], objects: [] };
    const flush = encodeRoom(
      this.encoders,
      room.id,
      (format) => {
        const sockets = room[format];
        if (sockets.size === 0 && !this.othersTake(room, format)) return null;
        const cursors: RoomCursors = {
          id: room.id,
          no: room.no,
          members: room.members,
          dirty: room.dirty,
          newcomers: room.newcomers,
          sockets,
          peerOf: (socketId) => this.sockets.get(socketId)?.rooms.get(room.id)?.peerId,
        };
        return cursors;
      },
      remote,
    );
    room.dirty.clear();
    room.newcomers.clear();
    this.dropIfEmpty(room);
    return flush;
  }

  private createRoom(id: string, address: RoomAddress): Room {
    const room: Room = {
      id,
      no: ++this.roomNumbers,
      ...address,
      members: new Map(),
      packed: new Set(),
      objects: new Set(),
      dirty: new Set(),
      newcomers: new Set(),
      nextFlush: 0,
      lastFlushAt: -Infinity,
      flushedEarly: false,
      remote: { packed: [], objects: [] },
      remoteFormats: { packed: true, objects: true },
      remoteFormatsReset: -Infinity,
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
    forgetRoom(this.encoders, room.id);
    const ids = this.byPage.get(room.page);
    ids?.delete(room.id);
    if (ids?.size === 0) this.byPage.delete(room.page);
  }

  /**
   * Several nodes: whether another node's sockets take `format` in the room, so this node
   * encodes its own changes in that format for them although none of its sockets take it.
   */
  protected othersTake(_room: Room, _format: CursorFormat): boolean {
    return false;
  }

  protected markDirty(room: Room): void {
    this.dirtyRooms.add(room.id);
    this.onDirty();
  }
}

/** The smallest peer number not taken in the room. A departed peer's number is free at once: its
 *  entries are left out of packed batches from then on, and presence events are ordered before them. */
function freeNumber(room: Room): number {
  const taken = new Set<number>();
  for (const member of room.members.values()) taken.add(member.peer.no);
  let no = 1;
  while (taken.has(no)) no += 1;
  return no;
}
