/**
 * `cursor:batch`: a room's changed cursors as objects, for third-party clients (the extension
 * takes packed batches). Simple to read, about 70 bytes per cursor, and no member gets its own
 * cursor back: one broadcast to the members who sent nothing, and each sender its own copy
 * without its entry, so messages per tick grow with the senders (RoomState slows large rooms).
 */
import type { CursorEntry } from '../../protocol/index.js';
import {
  cursorChannelOf,
  type CursorEncoder,
  type CursorOutlet,
  type RoomCursors,
} from './cursor-encoder.js';

export interface ObjectsBatch {
  /** This node's changes (what other nodes are sent). Null for a hidden cursor or a peer who left. */
  changed: CursorEntry[];
  /** The other nodes' entries since the last flush, for this node's sockets. */
  remote: readonly CursorEntry[];
  /** False when no socket here takes objects batches: encoded for the other nodes only. */
  here: boolean;
  /** Sockets of peers with an entry in `changed`, mapped to that peer: they must not see it. */
  senders: Map<string, string>;
  /** Newcomer sockets mapped to every current cursor except their own peer's. */
  snapshots: Map<string, CursorEntry[]>;
}

export class ObjectsEncoder implements CursorEncoder<ObjectsBatch, CursorEntry> {
  readonly format = 'objects';

  encode(room: RoomCursors, remote: readonly CursorEntry[]): ObjectsBatch {
    const changed: CursorEntry[] = [];
    const senders = new Map<string, string>();
    const snapshots = new Map<string, CursorEntry[]>();
    for (const peerId of room.dirty) {
      const member = room.members.get(peerId);
      changed.push({ peerId, cursor: member?.cursor ?? null });
      for (const socketId of member?.sockets ?? [])
        if (room.sockets.has(socketId)) senders.set(socketId, peerId);
    }
    for (const socketId of room.newcomers) {
      if (!room.sockets.has(socketId)) continue;
      const own = room.peerOf(socketId);
      const current = [...room.members.values()]
        .filter((m) => m.cursor !== null && m.peer.id !== own)
        .map((m) => ({ peerId: m.peer.id, cursor: m.cursor }));
      snapshots.set(socketId, current);
      senders.delete(socketId);
    }
    return { changed, remote, here: room.sockets.size > 0, senders, snapshots };
  }

  send({ nsp, publish }: CursorOutlet, room: string, batch: ObjectsBatch): void {
    const { changed, remote, senders, snapshots } = batch;
    const channel = cursorChannelOf(room, 'objects');
    if (publish && changed.length > 0)
      publish([channel], [], false, ['cursor:batch', { room, cursors: changed }]);
    if (!batch.here) return;
    // This node's sockets: own and other nodes' entries in one frame.
    const all = remote.length > 0 ? changed.concat(remote) : changed;
    if (all.length > 0) {
      const skip = [...senders.keys(), ...snapshots.keys()];
      nsp.local.to(channel).except(skip).volatile.emit('cursor:batch', { room, cursors: all });
      for (const [socketId, peerId] of senders) {
        const others = all.filter((entry) => entry.peerId !== peerId);
        if (others.length > 0)
          nsp.sockets.get(socketId)?.volatile.emit('cursor:batch', { room, cursors: others });
      }
    }
    // Newcomers get every current cursor once, after their join ack, instead of the delta.
    // Not volatile: unlike a delta, a lost snapshot is not repaired by the next tick. They are
    // left out of the frame above, so theirs carries the other nodes' entries of this tick.
    for (const [socketId, cursors] of snapshots) {
      const current = remote.length > 0 ? cursors.concat(remote) : cursors;
      if (current.length > 0) nsp.sockets.get(socketId)?.emit('cursor:batch', { room, cursors: current });
    }
  }

  forget(): void {
    // Nothing is kept between flushes.
  }
}
