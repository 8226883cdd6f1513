/**
 * Bounds what the node's publishes may hold while Redis does not answer. node-redis's command
 * timeout ends once a command is written, so a hung Redis (stopped, swapping, a network that
 * drops without a reset) keeps every publish waiting for its reply, and cursor ticks alone
 * would grow that queue by tens a second per room for the whole stall. Past the bound (or once
 * the oldest publish waited {@link STALLED_AFTER_MS}) the link counts as stalled: volatile
 * publishes (cursor batches, worthless once late) are dropped and counted; reliable ones
 * (notes, presence) still go, rate-limited by their budgets, and a node mends its notes
 * subscribers after Redis answers again (notes-mend.ts).
 */

/** Publishes waiting for Redis's reply at most, before volatile ones are dropped (docs/SECURITY.md). */
export const MAX_PENDING_PUBLISHES = 256;
/** Bytes of publishes waiting for Redis's reply at most, before volatile ones are dropped. */
export const MAX_PENDING_PUBLISH_BYTES = 1024 * 1024;
/** A publish unanswered this long means Redis hangs, whatever the queue's size. */
export const STALLED_AFTER_MS = 1000;

/** `flowing`: Redis answers; `stalled`: over a bound, or the oldest publish waits too long. */
export type GateState = 'flowing' | 'stalled';

export class PublishGate {
  private pendingCount = 0;
  private pendingBytes = 0;
  /** Start times of the pending publishes, oldest first (one connection answers in order). */
  private readonly started: number[] = [];
  /** Volatile publishes dropped while stalled, since the process started. */
  dropped = 0;
  private current: GateState = 'flowing';
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly onChange: (state: GateState) => void) {
    // A stall with nothing more to publish must still be noticed, and its end too.
    this.timer = setInterval(() => this.update(), STALLED_AFTER_MS / 4);
    this.timer.unref();
  }

  state(): GateState {
    return this.current;
  }

  pending(): { count: number; bytes: number } {
    return { count: this.pendingCount, bytes: this.pendingBytes };
  }

  /**
   * Runs `publish` unless it is volatile and the gate is stalled; `publish` answers the
   * publish's promise and the bytes it sent.
   */
  pass(volatile: boolean, publish: () => { done: Promise<unknown>; bytes: number }): Promise<unknown> {
    this.update();
    if (volatile && this.current === 'stalled') {
      this.dropped += 1;
      return Promise.resolve();
    }
    const { done, bytes } = publish();
    this.pendingCount += 1;
    this.pendingBytes += bytes;
    this.started.push(performance.now());
    const settle = () => {
      this.pendingCount -= 1;
      this.pendingBytes -= bytes;
      this.started.shift();
      this.update();
    };
    return done.finally(settle);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private update(): void {
    const oldest = this.started[0];
    const next: GateState =
      this.pendingCount >= MAX_PENDING_PUBLISHES ||
      this.pendingBytes >= MAX_PENDING_PUBLISH_BYTES ||
      (oldest !== undefined && performance.now() - oldest > STALLED_AFTER_MS)
        ? 'stalled'
        : 'flowing';
    if (next === this.current) return;
    this.current = next;
    this.onChange(next);
  }
}
