/**
 * RoomState of a node in several-node mode: the node's own sockets as on one node, with the
 * numbers the cluster hands out (rooms, peers, paths), the other nodes' cursor changes merged
 * into this node's flushes, which formats the other nodes take, and what the Redis presence
 * refresh needs to know about this node's members.
 */
import type { CursorEntry, Peer } from '../../protocol/index.js';
import type { NumberPath } from '../cursors/encode-packed.js';
import { createCursorEncoders } from '../cursors/encoders.js';
import type { RoomAddress } from '../room-access.js';
import { RoomState, type CursorFlush, type CursorFormat, type Room } from '../rooms/room-state.js';

/** One room's own members on this process, for the cluster's presence refresh. */
export interface LocalRoom extends RoomAddress {
  room: string;
  roomNo: number;
  /** Members with a socket heard of within the TTL. */
  peers: Array<Peer & { no: number }>;
  /** The highest path number this node knows in the room: numbers after an empty Redis go above it. */
  maxPathNo: number;
}

export class ClusterRoomState extends RoomState {
  /**
   * @param numberPath numbers a path the room has not seen, for every node alike; the answer
   * comes back through {@link addPath}, the cursor goes without its anchor meanwhile.
   */
  constructor(
    onDirty: () => void,
    onEarlyFlush: (flush: CursorFlush) => void,
    minFlushGapMs: number,
    numberPath: NumberPath,
  ) {
    super(onDirty, onEarlyFlush, minFlushGapMs, createCursorEncoders(numberPath));
    // The cluster numbers rooms; these are for an outage of Redis, from 2^30 up so they never
    // meet the cluster's.
    this.roomNumbers = 2 ** 30;
  }

  /** The member's peer with its number, or null when it is not in the room on this process. */
  memberOf(room: string, peerId: string): (Peer & { no: number }) | null {
    return this.rooms.get(room)?.members.get(peerId)?.peer ?? null;
  }

  /** The room's packed number on this process, or null when nobody is in it here. */
  roomNo(room: string): number | null {
    return this.rooms.get(room)?.no ?? null;
  }

  /** Gives the member another number (the cluster's, after an outage numbered it locally). */
  renumber(room: string, peerId: string, no: number): Peer | null {
    const member = this.rooms.get(room)?.members.get(peerId);
    if (!member) return null;
    member.peer = { ...member.peer, no };
    return member.peer;
  }

  /**
   * Gives the room the cluster's number (another node numbered it first after an outage);
   * false when nobody is in it here or it had that number already.
   */
  renumberRoom(room: string, no: number): boolean {
    const state = this.rooms.get(room);
    if (!state || state.no === no) return false;
    state.no = no;
    return true;
  }

  /** A path number the cluster handed out: announced with the next flush, used from then on. */
  addPath(room: string, path: string, no: number): void {
    const state = this.rooms.get(room);
    if (state && this.encoders.packed.addPath(room, path, no)) this.markDirty(state);
  }

  /** Paths other nodes numbered, known to this node's newcomers through their join: not announced again. */
  knowPaths(room: string, paths: Array<[number, string]>): void {
    if (this.rooms.has(room)) this.encoders.packed.knowPaths(room, paths);
  }

  /**
   * Every member here with a cursor goes out again with the next flush: someone joined the
   * room on another node and has none of them (cursor positions are never stored).
   */
  resendCursors(room: string): void {
    const state = this.rooms.get(room);
    if (!state) return;
    for (const member of state.members.values()) if (member.cursor) state.dirty.add(member.peer.id);
    if (state.dirty.size > 0) this.markDirty(state);
  }

  /**
   * Another node's batch for the room: its entries go to this node's sockets with the room's
   * next flush, one frame per socket and tick whatever the number of nodes. Dropped when this
   * node has no socket of that format in the room.
   */
  addRemote(room: string, packed: number[] | null, objects: CursorEntry[] | null): void {
    const state = this.rooms.get(room);
    if (!state) return;
    if (packed && state.packed.size > 0) for (const value of packed) state.remote.packed.push(value);
    if (objects && state.objects.size > 0) for (const entry of objects) state.remote.objects.push(entry);
    if (state.remote.packed.length > 0 || state.remote.objects.length > 0) this.markDirty(state);
  }

  /** The cursor formats this node's sockets in the room take (`p`, `o`), with `adding` to come. */
  formatsOf(room: string, adding?: CursorFormat): string {
    const state = this.rooms.get(room);
    const packed = adding === 'packed' || (state?.packed.size ?? 0) > 0;
    const objects = adding === 'objects' || (state?.objects.size ?? 0) > 0;
    return (packed ? 'p' : '') + (objects ? 'o' : '');
  }

  /**
   * The formats other nodes' sockets in the room take, as Redis last said (e.g. "ppo"); a
   * format nobody else takes is not flushed for them. `null`: assume both (someone just
   * joined elsewhere, and Redis will tell at the next refresh). An answer Redis gave to a
   * question asked (`askedAt`) before such a join is older than it and does not count.
   */
  setRemoteFormats(room: string, formats: string | null, askedAt = performance.now()): void {
    const state = this.rooms.get(room);
    if (!state) return;
    if (formats === null) state.remoteFormatsReset = askedAt;
    else if (askedAt <= state.remoteFormatsReset) return;
    state.remoteFormats = {
      packed: formats === null || formats.includes('p'),
      objects: formats === null || formats.includes('o'),
    };
  }

  /** Every room with its members heard of within `ttlMs` (several-node mode's refresh). */
  localRooms(now: number, ttlMs: number): LocalRoom[] {
    const fresh = new Map<string, Set<string>>();
    for (const entry of this.sockets.values()) {
      for (const [room, seat] of entry.rooms) {
        if (now - seat.seenAt > ttlMs) continue;
        const peers = fresh.get(room) ?? new Set<string>();
        peers.add(seat.peerId);
        fresh.set(room, peers);
      }
    }
    return [...fresh].flatMap(([id, peerIds]) => {
      const room = this.rooms.get(id);
      if (!room) return [];
      const peers = [...peerIds].flatMap((peerId) => room.members.get(peerId)?.peer ?? []);
      const maxPathNo = this.encoders.packed.maxPathNo(id);
      return [{ room: id, page: room.page, channel: room.channel, roomNo: room.no, peers, maxPathNo }];
    });
  }

  /** The other nodes' sockets may take a format this node has none of (Redis says which). */
  protected override othersTake(room: Room, format: CursorFormat): boolean {
    return room.remoteFormats[format];
  }
}
