/**
 * `cursor:packed`: a room's changed cursors as one flat array of integers
 * (protocol/cursor-packing.ts), built once per room and tick and framed once by Socket.IO for
 * every packed member, their own entries included (each client skips its own number). About
 * 12 bytes a cursor against about 70 as objects; the extension's format. Element paths are
 * numbered per room and announced with `cursor:paths` before the first batch that uses them;
 * with several nodes the cluster numbers them (the same number on every node).
 */
import { packEntry, type Cursor } from '../../protocol/index.js';
import {
  cursorChannelOf,
  type CursorEncoder,
  type CursorOutlet,
  type RoomCursors,
} from './cursor-encoder.js';

/**
 * Element paths numbered per room. Past this many, anchors with new paths go out without
 * their anchor (the document position still places the cursor).
 */
export const MAX_ROOM_PATHS = 1024;
/**
 * ...and past this many characters of paths: 1024 paths of up to 512 characters would cost
 * ~1.2 MiB per room. 128 KiB is 128 characters per path on average at the count cap; the
 * extension's paths are shorter, so the count binds for real pages and this for paths made
 * long on purpose.
 */
export const MAX_ROOM_PATH_CHARS = 128 * 1024;

/**
 * Several nodes: asks the cluster to number a path the room has not seen; the answer comes
 * back through {@link PackedEncoder#addPath}, and the cursor goes without its anchor meanwhile.
 */
export type NumberPath = (room: string, path: string) => void;

/** Shared empty results of a flush; frozen, so nothing can fill them by mistake. */
const NO_SOCKETS: string[] = Object.freeze([]) as unknown as string[];
const NO_PATHS: Array<[number, string]> = Object.freeze([]) as unknown as Array<[number, string]>;

export interface PackedBatch {
  /** Paths numbered in this flush: announced before `batch`, which uses them. */
  freshPaths: Array<[number, string]>;
  roomNo: number;
  /**
   * This node's changed cursors, or null when none changed (what other nodes are sent).
   * Departed peers are left out: presence:left says it.
   */
  batch: number[] | null;
  /** The other nodes' entries since the last flush (without room number), for this node's sockets. */
  remote: readonly number[];
  /** False when no socket here takes packed batches: encoded for the other nodes only. */
  here: boolean;
  /** Packed sockets that joined since the last flush: they get every path and every cursor once. */
  newcomers: string[];
  allPaths: Array<[number, string]>;
  /** Every current cursor, for the newcomers; null when there are none. */
  snapshot: number[] | null;
}

/** A room's path numbers, and those numbered since its last flush. */
interface PathTable {
  paths: Map<string, number>;
  /** Characters of the paths in `paths`, bounded by MAX_ROOM_PATH_CHARS. */
  chars: number;
  fresh: Array<[number, string]>;
}

export class PackedEncoder implements CursorEncoder<PackedBatch, number> {
  readonly format = 'packed';
  private readonly tables = new Map<string, PathTable>();

  /** @param numberPath several nodes: the cluster numbers paths; null numbers them here. */
  constructor(private readonly numberPath: NumberPath | null = null) {}

  /** True when the cluster numbers paths (several-node mode). */
  get clustered(): boolean {
    return this.numberPath !== null;
  }

  encode(room: RoomCursors, remote: readonly number[]): PackedBatch {
    const table = this.tableOf(room.id);
    let batch: number[] | null = null;
    for (const peerId of room.dirty) {
      const member = room.members.get(peerId);
      if (!member) continue;
      batch ??= [room.no];
      packEntry(batch, member.peer.no, member.cursor, this.pathNumber(room.id, table, member.cursor));
    }
    // Nothing is allocated here on a tick without newcomers or new paths (the usual one).
    const newcomers =
      room.newcomers.size > 0
        ? [...room.newcomers].filter((socketId) => room.sockets.has(socketId))
        : NO_SOCKETS;
    let snapshot: number[] | null = null;
    if (newcomers.length > 0) {
      snapshot = [room.no];
      for (const member of room.members.values()) {
        if (member.cursor)
          packEntry(snapshot, member.peer.no, member.cursor, this.pathNumber(room.id, table, member.cursor));
      }
    }
    const freshPaths = table.fresh;
    if (freshPaths.length > 0) table.fresh = [];
    return {
      freshPaths,
      roomNo: room.no,
      batch,
      remote,
      here: room.sockets.size > 0,
      newcomers,
      allPaths: newcomers.length > 0 ? [...table.paths].map(([path, no]) => [no, path]) : NO_PATHS,
      snapshot,
    };
  }

  send({ nsp, publish }: CursorOutlet, room: string, packed: PackedBatch): void {
    // Newcomers first: every path number the batch below may use, then every cursor.
    for (const socketId of packed.newcomers) {
      const socket = nsp.sockets.get(socketId);
      if (packed.allPaths.length > 0) socket?.emit('cursor:paths', { room, paths: packed.allPaths });
      if (packed.snapshot && packed.snapshot.length > 1) socket?.emit('cursor:packed', packed.snapshot);
    }
    const channel = cursorChannelOf(room, 'packed');
    // New path numbers and the batch that uses them both go out reliably, in this order on
    // every connection. A volatile batch right behind a reliable write would be dropped:
    // the transport is not writable again until that write completed.
    const reliable = packed.freshPaths.length > 0;
    // Paths go to every node's packed sockets (through the adapter), before any batch using them.
    if (reliable) nsp.to(channel).emit('cursor:paths', { room, paths: packed.freshPaths });
    if (publish && packed.batch) publish([channel], [], reliable, ['cursor:packed', packed.batch]);
    if (!packed.here) return;
    // This node's sockets: own and other nodes' entries in one frame.
    const frame =
      packed.remote.length === 0 ? packed.batch : (packed.batch ?? [packed.roomNo]).concat(packed.remote);
    if (!frame) return;
    const local = nsp.local.to(channel);
    (reliable ? local : local.volatile).emit('cursor:packed', frame);
  }

  /** A path number the cluster handed out: announced with the next flush. False when known already. */
  addPath(room: string, path: string, no: number): boolean {
    const table = this.tableOf(room);
    if (table.paths.has(path)) return false;
    table.chars += path.length;
    table.paths.set(path, no);
    table.fresh.push([no, path]);
    return true;
  }

  /** Paths other nodes numbered, which this node's newcomers learnt with their join: not announced again. */
  knowPaths(room: string, paths: Array<[number, string]>): void {
    const table = this.tableOf(room);
    for (const [no, path] of paths) {
      if (table.paths.has(path)) continue;
      table.chars += path.length;
      table.paths.set(path, no);
    }
  }

  /** The highest path number this node knows in the room (0 for none). */
  maxPathNo(room: string): number {
    let max = 0;
    for (const no of this.tables.get(room)?.paths.values() ?? []) max = Math.max(max, no);
    return max;
  }

  forget(room: string): void {
    this.tables.delete(room);
  }

  private tableOf(room: string): PathTable {
    let table = this.tables.get(room);
    if (!table) {
      table = { paths: new Map(), chars: 0, fresh: [] };
      this.tables.set(room, table);
    }
    return table;
  }

  /** The room's number for the cursor's anchor path, numbering it if new; null to send no anchor. */
  private pathNumber(room: string, table: PathTable, cursor: Cursor | null): number | null {
    const path = cursor?.anchor?.path;
    if (path === undefined) return null;
    let no = table.paths.get(path);
    if (no !== undefined) return no;
    if (this.numberPath) {
      this.numberPath(room, path);
      return null;
    }
    if (table.paths.size >= MAX_ROOM_PATHS || table.chars + path.length > MAX_ROOM_PATH_CHARS) return null;
    table.chars += path.length;
    no = table.paths.size + 1;
    table.paths.set(path, no);
    table.fresh.push([no, path]);
    return no;
  }
}
