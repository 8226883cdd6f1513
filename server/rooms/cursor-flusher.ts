/**
 * Sends cursor changes at a fixed rate, volatile (a late cursor is worthless, a dropped
 * one is replaced next tick). Per dirty room and tick:
 * - sockets that joined with `cursorFormat: 'packed'` share one `cursor:packed` array,
 *   encoded and framed once by Socket.IO for all of them, their own entries included
 *   (each client skips its own number): the cheap path the extension uses (issue 6);
 * - `objects` sockets get `cursor:batch` and never their own peer's cursor back: they
 *   share one broadcast, and each sender gets its own copy without its entry.
 * The timer runs only while there is work.
 *
 * Leading edge (issue 6): the first change after the timer stopped (an idle tick, so at
 * least one tick since the last flush) is flushed at once, in the same turn of the event
 * loop once its I/O is read, instead of a whole tick later; the timer then starts from
 * that flush. A room still gets at most one batch per tick: under continuous changes the
 * timer never stops and flushes go out on ticks only.
 */
import { packedChannelOf } from '../../protocol/index.js';
import type { Publish } from '../cluster/sharded-adapter.js';
import type { Logger } from '../logger.js';
import type { RoomsNamespace } from '../socket-types.js';
import type { CursorFlush, PackedFlush } from './room-state.js';

export interface FlusherStats {
  /** Ticks that had something to send. */
  flushes: number;
}

export class CursorFlusher {
  private timer: NodeJS.Timeout | null = null;
  private leading: NodeJS.Immediate | null = null;
  private closed = false;
  readonly stats: FlusherStats = { flushes: 0 };

  constructor(
    private readonly nsp: RoomsNamespace,
    private readonly take: () => CursorFlush[],
    private readonly tickHz: number,
    private readonly logger: Logger,
    /** True while changes wait for a later tick (large rooms are flushed less often). */
    private readonly pending: () => boolean = () => false,
    /**
     * Several nodes: sends a node's own changes to the other nodes only. This node's sockets
     * get its changes and the other nodes' together, one frame per tick (RoomState#addRemote),
     * instead of a frame per node and tick.
     */
    private readonly publish: Publish | null = null,
  ) {}

  /** Called when something became dirty; starts the timer if it is not running. */
  wake(): void {
    if (this.timer || this.leading || this.closed) return;
    // setImmediate, not now: the handler that made the change is still running, and
    // changes read from the network in this same turn share the batch.
    this.leading = setImmediate(() => {
      this.leading = null;
      if (this.closed) return;
      this.start();
      this.tick();
    });
    this.leading.unref();
  }

  /** Sends one room's flush made between ticks (RoomState's early flush), guarded like a tick. */
  sendNow(flush: CursorFlush): void {
    try {
      this.send(flush);
    } catch (error) {
      this.logger.error({ err: error }, 'cursor flush failed');
    }
  }

  close(): void {
    this.closed = true;
    this.stop();
  }

  private start(): void {
    this.timer = setInterval(() => this.tick(), 1000 / this.tickHz);
    // The timer alone must never keep the process alive (shutdown, tests).
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.leading) clearImmediate(this.leading);
    this.leading = null;
  }

  private tick(): void {
    try {
      const flushes = this.take();
      // One idle tick stops the timer; the next change starts it again.
      if (flushes.length === 0) {
        if (!this.pending()) this.stop();
        return;
      }
      this.stats.flushes += 1;
      for (const flush of flushes) this.send(flush);
    } catch (error) {
      // A throw inside a timer callback would kill the process; a lost tick is harmless.
      this.logger.error({ err: error }, 'cursor flush failed');
    }
  }

  private send(flush: CursorFlush): void {
    if (this.publish) {
      this.sendCluster(flush, this.publish);
      return;
    }
    if (flush.packed) this.sendPacked(flush.room, flush.packed);
    const { room, changed, senders, snapshots } = flush;
    if (changed.length > 0) {
      const skip = [...senders.keys(), ...snapshots.keys()];
      if (flush.packed) skip.push(flush.packed.channel);
      this.nsp.to(room).except(skip).volatile.emit('cursor:batch', { room, cursors: changed });
      for (const [socketId, peerId] of senders) {
        const others = changed.filter((entry) => entry.peerId !== peerId);
        if (others.length > 0)
          this.socket(socketId)?.volatile.emit('cursor:batch', { room, cursors: others });
      }
    }
    // Newcomers get every current cursor once, after their join ack, instead of the delta.
    // Not volatile: unlike a delta, a lost snapshot is not repaired by the next tick.
    for (const [socketId, cursors] of snapshots) {
      if (cursors.length > 0) this.socket(socketId)?.emit('cursor:batch', { room, cursors });
    }
  }

  private sendPacked(room: string, packed: PackedFlush): void {
    // Newcomers first: every path number the batch below may use, then every cursor.
    for (const socketId of packed.newcomers) {
      const socket = this.socket(socketId);
      if (packed.allPaths.length > 0) socket?.emit('cursor:paths', { room, paths: packed.allPaths });
      if (packed.snapshot && packed.snapshot.length > 1) socket?.emit('cursor:packed', packed.snapshot);
    }
    if (packed.freshPaths.length > 0) {
      // New path numbers and the batch that uses them both go out reliably, in this order on
      // every connection. A volatile batch right behind a reliable write would be dropped:
      // the transport is not writable again until that write completed.
      this.nsp.to(packed.channel).emit('cursor:paths', { room, paths: packed.freshPaths });
      if (packed.batch) this.nsp.to(packed.channel).emit('cursor:packed', packed.batch);
    } else if (packed.batch) {
      this.nsp.to(packed.channel).volatile.emit('cursor:packed', packed.batch);
    }
  }

  /** {@link send} with several nodes: own changes published, everything delivered here once. */
  private sendCluster(flush: CursorFlush, publish: Publish): void {
    const { room, changed, senders, snapshots, packed, remote } = flush;
    // A format this node has no socket of is flushed for the other nodes only: no local frame.
    const rooms = this.nsp.adapter.rooms;
    const packedHere = packed ? (rooms.get(packed.channel)?.size ?? 0) : 0;
    const objectsHere = (rooms.get(room)?.size ?? 0) > packedHere;
    if (packed) {
      for (const socketId of packed.newcomers) {
        const socket = this.socket(socketId);
        if (packed.allPaths.length > 0) socket?.emit('cursor:paths', { room, paths: packed.allPaths });
        if (packed.snapshot && packed.snapshot.length > 1) socket?.emit('cursor:packed', packed.snapshot);
      }
      // Paths go to every node's packed sockets, reliably, before any batch that uses them.
      const reliable = packed.freshPaths.length > 0;
      if (reliable) this.nsp.to(packed.channel).emit('cursor:paths', { room, paths: packed.freshPaths });
      if (packed.batch) publish([packed.channel], [], reliable, ['cursor:packed', packed.batch]);
      const others = remote?.packed ?? [];
      if (packedHere > 0 && (packed.batch || others.length > 0)) {
        const batch = packed.batch ? packed.batch.concat(others) : [packed.roomNo, ...others];
        const local = this.nsp.local.to(packed.channel);
        (reliable ? local : local.volatile).emit('cursor:packed', batch);
      }
    }
    const all = remote && remote.objects.length > 0 ? changed.concat(remote.objects) : changed;
    if (all.length > 0) {
      const skip = [...senders.keys(), ...snapshots.keys()];
      if (packed) skip.push(packed.channel);
      // The other nodes' packed sockets are in the packed channel: excluded there too.
      if (changed.length > 0)
        publish([room], [packedChannelOf(room)], false, ['cursor:batch', { room, cursors: changed }]);
      if (objectsHere)
        this.nsp.local.to(room).except(skip).volatile.emit('cursor:batch', { room, cursors: all });
      for (const [socketId, peerId] of senders) {
        const others = all.filter((entry) => entry.peerId !== peerId);
        if (others.length > 0)
          this.socket(socketId)?.volatile.emit('cursor:batch', { room, cursors: others });
      }
    }
    // A newcomer is left out of the batch above: its snapshot carries the other nodes' changes.
    for (const [socketId, cursors] of snapshots) {
      const current = remote && remote.objects.length > 0 ? cursors.concat(remote.objects) : cursors;
      if (current.length > 0) this.socket(socketId)?.emit('cursor:batch', { room, cursors: current });
    }
  }

  private socket(id: string) {
    return this.nsp.sockets.get(id);
  }
}
