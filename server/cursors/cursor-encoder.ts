/**
 * One encoder per cursor format (`room:join` `cursorFormat`). A room's flush asks only the
 * encoders of formats some member of the room asked for, so a room of extensions never builds
 * `cursor:batch` objects and a room of third-party clients never numbers paths. Each encoder
 * reads the room through {@link RoomCursors}, keeps what its format needs between flushes
 * (the packed path table), and sends its batch to the members of its format, which are in
 * their own Socket.IO room ({@link cursorChannelOf}).
 *
 * Several nodes: "some member" means on any node. Each node encodes its own members' changes
 * in every format some node's sockets take, publishes each to the other nodes, and delivers
 * them here merged with the other nodes' entries of the same format, one frame per socket and
 * tick. Each node publishes encoded batches rather than raw cursors although the packed numbers
 * (room, peer, path) are cluster-wide and a receiver could encode raw ones itself: the receiver
 * then only concatenates (no per-node re-encoding of every remote entry), and the packed copy
 * stays ~12 bytes a cursor on Redis. The price is that a node encodes a format it has no
 * member of while another node has some (ClusterRoomState learns which from Redis).
 */
import { packedChannelOf, type Cursor, type Peer } from '../../protocol/index.js';
import type { Publish } from '../cluster/sharded-adapter.js';
import type { RoomsNamespace } from '../socket-types.js';

/** How a socket takes cursor batches. */
export type CursorFormat = 'objects' | 'packed';

/** One peer of a room as encoders read it. */
export interface CursorMember {
  /** `peer.no` is the member's number in packed batches. */
  peer: Peer & { no: number };
  sockets: ReadonlySet<string>;
  cursor: Cursor | null;
}

/** What an encoder reads of a room at a flush; the room's state stays RoomState's. */
export interface RoomCursors {
  id: string;
  /** This room's number in packed batches. */
  no: number;
  /** Peer id to member (this node's members only). */
  members: ReadonlyMap<string, CursorMember>;
  /** Peer ids whose cursor changed since the last flush (a departed peer's too). */
  dirty: ReadonlySet<string>;
  /** Sockets that joined since the last flush and need every current cursor once. */
  newcomers: ReadonlySet<string>;
  /**
   * This node's sockets that asked for this encoder's format. Empty when only other nodes
   * have members of the format: the batch is then encoded for them alone.
   */
  sockets: ReadonlySet<string>;
  /** The peer a socket is in this room. */
  peerOf(socketId: string): string | undefined;
}

/** Where a flush goes: this node's sockets, and with several nodes also the other nodes. */
export interface CursorOutlet {
  nsp: RoomsNamespace;
  /** Several nodes: sends this node's own changes to the other nodes only; null on one node. */
  publish: Publish | null;
}

/** `Remote` is one other-node entry of this format, as {@link CursorOutlet.publish} sent it. */
export interface CursorEncoder<Batch, Remote> {
  readonly format: CursorFormat;
  /**
   * This flush's batch of the room, with the other nodes' entries of this format that arrived
   * since the last flush; called only while some socket of the room (on any node) takes this format.
   */
  encode(room: RoomCursors, remote: readonly Remote[]): Batch;
  /** Sends a batch made by {@link encode} to the room's members of this format. */
  send(outlet: CursorOutlet, room: string, batch: Batch): void;
  /** The room is gone: forget what was kept for it. */
  forget(room: string): void;
}

/**
 * The Socket.IO room of a room's members that take `format`. No room id can be one: a room id
 * starts with a normalised channel, which never holds whitespace.
 */
export function cursorChannelOf(room: string, format: CursorFormat): string {
  return format === 'packed' ? packedChannelOf(room) : `objects ${room}`;
}

/** The room id of a channel made by {@link cursorChannelOf}, or null for any other Socket.IO room. */
export function roomOfCursorChannel(channel: string, format: CursorFormat): string | null {
  const prefix = cursorChannelOf('', format);
  return channel.startsWith(prefix) && channel.length > prefix.length ? channel.slice(prefix.length) : null;
}
