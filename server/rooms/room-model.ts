/**
 * What a room of namespace /rooms is made of on this process (members, their sockets and
 * numbers, the cursor formats taken, flush bookkeeping), what join and leave answer, and
 * how often a large room is flushed. room-state.ts keeps the rooms.
 */
import type { Peer } from '../../protocol/index.js';
import type { CursorMember } from '../cursors/cursor-encoder.js';
import type { RemoteEntries } from '../cursors/encoders.js';
import type { RoomAddress } from '../room-access.js';

/** A socket's place in one room: its peer there and when it was last heard of there (ms). */
export interface Seat {
  peerId: string;
  seenAt: number;
}

export interface Member extends CursorMember {
  /** `peer.no` is the member's number in packed batches, unique in the room while it is there. */
  peer: Peer & { no: number };
  sockets: Set<string>;
}

export interface Room extends RoomAddress {
  id: string;
  /** This room's number in packed batches; unique on this process (in the cluster with several nodes). */
  no: number;
  members: Map<string, Member>;
  /** Sockets per cursor format: a flush encodes only the formats that have some. */
  packed: Set<string>;
  objects: Set<string>;
  /** Peer ids whose cursor changed since the last flush. */
  dirty: Set<string>;
  /** Sockets that joined since the last flush and need every current cursor once. */
  newcomers: Set<string>;
  /** The flush counter value before which this room is not flushed again (large rooms). */
  nextFlush: number;
  /** When the room was last flushed (ms, the `now` clock of setCursor). */
  lastFlushAt: number;
  /** True after an early flush (setCursor), until the room's next tick flush. */
  flushedEarly: boolean;
  /** Other nodes' entries per format since the last flush (several nodes). */
  remote: RemoteEntries;
  /** Whether other nodes have sockets that take each format (several nodes; both until known). */
  remoteFormats: { packed: boolean; objects: boolean };
  /** When (performance.now()) a join elsewhere last made this node assume both formats. */
  remoteFormatsReset: number;
}

/**
 * Rooms with more members than this are flushed less often. With `objects` sockets every
 * sender gets its own copy of the batch, so messages per tick grow with the square of the
 * room: a room of `n` members is flushed every `ceil(n / LARGE_ROOM_MEMBERS)` ticks.
 */
export const LARGE_ROOM_MEMBERS = 50;
/**
 * The same for rooms where every socket takes packed batches: one frame per member per
 * tick, so only the bytes grow with the square (members x changed entries). 250 members
 * at 20 Hz is ~12 MB/s of cursors out of one process; larger rooms are slowed.
 */
export const LARGE_PACKED_ROOM_MEMBERS = 250;

/** Ticks between two flushes of a room of `members` peers. */
export function flushEvery(members: number, packedOnly = false): number {
  return Math.max(1, Math.ceil(members / (packedOnly ? LARGE_PACKED_ROOM_MEMBERS : LARGE_ROOM_MEMBERS)));
}

/** Numbers handed out by the cluster (several-node mode): the same on every node. */
export interface ClusterNumbers {
  peerNo: number;
  roomNo: number;
}

export interface JoinOutcome {
  self: Peer;
  /** Everyone else in the room. */
  peers: Peer[];
  /** True when this peer was not in the room before, so others must hear of it. */
  arrived: boolean;
  roomNo: number;
}

export interface LeaveOutcome {
  room: string;
  peerId: string;
  /** True when the peer's last socket left, so others must hear of it. */
  departed: boolean;
}
