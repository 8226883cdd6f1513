/**
 * One encoder per cursor format (`room:join` `cursorFormat`). A room's flush asks only the
 * encoders of formats some member of the room asked for, so a room of extensions never builds
 * `cursor:batch` objects and a room of third-party clients never numbers paths. Each encoder
 * reads the room through {@link RoomCursors}, keeps what its format needs between flushes
 * (the packed path table), and sends its batch to the members of its format, which are in
 * their own Socket.IO room ({@link cursorChannelOf}).
 */
import { packedChannelOf, type Cursor, type Peer } from '../../protocol/index.js';
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
  /** Peer id to member. */
  members: ReadonlyMap<string, CursorMember>;
  /** Peer ids whose cursor changed since the last flush (a departed peer's too). */
  dirty: ReadonlySet<string>;
  /** Sockets that joined since the last flush and need every current cursor once. */
  newcomers: ReadonlySet<string>;
  /** The sockets that asked for this encoder's format. */
  sockets: ReadonlySet<string>;
  /** The peer a socket is in this room. */
  peerOf(socketId: string): string | undefined;
}

export interface CursorEncoder<Batch> {
  readonly format: CursorFormat;
  /** This flush's batch of the room; called only while some socket of the room takes this format. */
  encode(room: RoomCursors): Batch;
  /** Sends a batch made by {@link encode} to the room's members of this format. */
  send(nsp: RoomsNamespace, room: string, batch: Batch): void;
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
