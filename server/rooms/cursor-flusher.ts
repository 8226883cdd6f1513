/**
 * Sends cursor changes at a fixed rate, volatile (a late cursor is worthless, a dropped
 * one is replaced next tick): per dirty room and tick, each cursor format some member of the
 * room takes is encoded and sent by that format's encoder (server/cursors/). The timer runs
 * only while there is work.
 *
 * Leading edge: the first change after the timer stopped (an idle tick, so at
 * least one tick since the last flush) is flushed at once, in the same turn of the event
 * loop once its I/O is read, instead of a whole tick later; the timer then starts from
 * that flush. A room still gets at most one batch per tick: under continuous changes the
 * timer never stops and flushes go out on ticks only.
 */
import type { Publish } from '../cluster/sharded-adapter.js';
import { sendFlush, type CursorEncoders, type CursorFlush } from '../cursors/encoders.js';
import type { Logger } from '../logger.js';
import type { RoomsNamespace } from '../socket-types.js';

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
    /** Send each format's batch; the same ones RoomState encoded the flush with. */
    private readonly encoders: CursorEncoders,
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
    sendFlush({ nsp: this.nsp, publish: this.publish }, this.encoders, flush);
  }
}
