/**
 * `cursor:batch`: a room's changed cursors as objects, for third-party clients (the extension
 * takes packed batches). Simple to read, about 70 bytes per cursor, and no member gets its own
 * cursor back: one broadcast to the members who sent nothing, and each sender its own copy
 * without its entry, so messages per tick grow with the senders (RoomState slows large rooms).
 */
import type { CursorEntry } from '../../protocol/index.js';
import type { RoomsNamespace } from '../socket-types.js';
import { cursorChannelOf, type CursorEncoder, type RoomCursors } from './cursor-encoder.js';

export interface ObjectsBatch {
  /** Null for a hidden cursor or a peer who left. */
  changed: CursorEntry[];
  /** Sockets of peers with an entry in `changed`, mapped to that peer: they must not see it. */
  senders: Map<string, string>;
  /** Newcomer sockets mapped to every current cursor except their own peer's. */
  snapshots: Map<string, CursorEntry[]>;
}

export class ObjectsEncoder implements CursorEncoder<ObjectsBatch> {
  readonly format = 'objects';

  encode(room: RoomCursors): ObjectsBatch {
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
    return { changed, senders, snapshots };
  }

  send(nsp: RoomsNamespace, room: string, { changed, senders, snapshots }: ObjectsBatch): void {
    if (changed.length > 0) {
      const skip = [...senders.keys(), ...snapshots.keys()];
      nsp
        .to(cursorChannelOf(room, 'objects'))
        .except(skip)
        .volatile.emit('cursor:batch', { room, cursors: changed });
      for (const [socketId, peerId] of senders) {
        const others = changed.filter((entry) => entry.peerId !== peerId);
        if (others.length > 0)
          nsp.sockets.get(socketId)?.volatile.emit('cursor:batch', { room, cursors: others });
      }
    }
    // Newcomers get every current cursor once, after their join ack, instead of the delta.
    // Not volatile: unlike a delta, a lost snapshot is not repaired by the next tick.
    for (const [socketId, cursors] of snapshots) {
      if (cursors.length > 0) nsp.sockets.get(socketId)?.emit('cursor:batch', { room, cursors });
    }
  }

  forget(): void {
    // Nothing is kept between flushes.
  }
}
