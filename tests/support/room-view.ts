/**
 * What one user sees of a room, from the wire: the peers present (from room:join's answer,
 * then presence:joined/left) and every cursor received, objects or packed format alike,
 * decoded to peer ids. Reset by each accepted room:join, as the extension does.
 */
import { EventEmitter } from 'node:events';
import {
  cursorFromPacked,
  unpackBatch,
  type Cursor,
  type CursorBatch,
  type CursorPaths,
  type Peer,
  type PresenceJoined,
  type PresenceLeft,
  type RoomJoined,
} from '../../protocol/index.js';
import type { RoomsClient } from './clients.js';

export interface SeenCursor {
  peerId: string;
  cursor: Cursor | null;
  atMs: number;
}

export class RoomView {
  /** Peers present now, without oneself. */
  readonly peers = new Map<string, Peer>();
  /** Every presence:left received, with when. */
  readonly lefts: Array<{ peerId: string; atMs: number }> = [];
  /** Peers announced as joined while already present: a duplicate. */
  readonly duplicateJoins: string[] = [];
  /** The cursor events received, by format. */
  readonly formats = new Set<'objects' | 'packed'>();
  private readonly numbers = new Map<number, string>();
  private readonly paths = new Map<number, string>();
  private readonly events = new EventEmitter();

  constructor(socket: RoomsClient) {
    socket.on('presence:joined', ({ peer }: PresenceJoined) => {
      if (this.peers.has(peer.id)) this.duplicateJoins.push(peer.id);
      this.peers.set(peer.id, peer);
      if (peer.no) this.numbers.set(peer.no, peer.id);
    });
    socket.on('presence:left', ({ peerId }: PresenceLeft) => {
      this.peers.delete(peerId);
      this.lefts.push({ peerId, atMs: performance.now() });
    });
    socket.on('cursor:batch', ({ cursors }: CursorBatch) => {
      this.formats.add('objects');
      for (const entry of cursors) this.seen(entry.peerId, entry.cursor ?? null);
    });
    socket.on('cursor:paths', ({ paths }: CursorPaths) => {
      for (const [no, path] of paths) this.paths.set(no, path);
    });
    socket.on('cursor:packed', (payload: number[]) => {
      this.formats.add('packed');
      const batch = unpackBatch(payload);
      if (!batch.ok) throw new Error(batch.error.message);
      for (const { no, cursor } of batch.value.entries) {
        const peerId = this.numbers.get(no);
        if (peerId === undefined) throw new Error(`cursor of unknown peer number ${no}`);
        this.seen(peerId, cursor && cursorFromPacked(cursor, (n) => this.paths.get(n)));
      }
    });
  }

  /** A fresh room:join answer: the peers it lists are all there is. */
  reset(joined: RoomJoined): void {
    this.peers.clear();
    for (const peer of joined.peers) this.peers.set(peer.id, peer);
    for (const peer of [joined.self, ...joined.peers]) if (peer.no) this.numbers.set(peer.no, peer.id);
    this.events.emit('reset');
  }

  private seen(peerId: string, cursor: Cursor | null): void {
    this.events.emit('cursor', { peerId, cursor, atMs: performance.now() } satisfies SeenCursor);
  }

  /** Resolves with the first cursor from `peerId` that `match` accepts; rejects after `timeoutMs`. */
  cursorFrom(
    peerId: string,
    match: (cursor: Cursor | null) => boolean,
    timeoutMs = 5_000,
  ): Promise<SeenCursor> {
    return new Promise((resolve, reject) => {
      const listener = (seen: SeenCursor) => {
        if (seen.peerId !== peerId || !match(seen.cursor)) return;
        clearTimeout(timer);
        this.events.off('cursor', listener);
        resolve(seen);
      };
      const timer = setTimeout(() => {
        this.events.off('cursor', listener);
        reject(new Error(`no matching cursor from ${peerId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on('cursor', listener);
    });
  }

  /** Resolves once `check` holds for the peers, tested on every presence event; rejects after `timeoutMs`. */
  until(socket: RoomsClient, check: (peers: Map<string, Peer>) => boolean, timeoutMs = 5_000): Promise<void> {
    if (check(this.peers)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = () => {
        // presence listeners above ran first (registered first), so `peers` is current.
        if (!check(this.peers)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`presence never matched within ${timeoutMs} ms: ${[...this.peers.keys()].join(', ')}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        socket.off('presence:joined', listener);
        socket.off('presence:left', listener);
        this.events.off('reset', listener);
      };
      socket.on('presence:joined', listener);
      socket.on('presence:left', listener);
      this.events.on('reset', listener);
    });
  }
}
