/**
 * The persistent outbox of note writes. Every new note, edit and delete is
 * written to `storage.local` before it is sent, carries an `opId`, and leaves the outbox
 * only when the server answered: on success, or on a refusal that retrying cannot fix
 * (which the owner shows to the user). Transient failures (no connection, a timeout,
 * rate limiting) keep the op for the next flush, which runs on reconnect and on worker
 * start. Ops are sent one at a time, in the order they were made, so an edit never
 * overtakes the create or edit before it. The server treats a repeated opId as the same
 * operation, so an op whose ack was lost (worker stopped, connection dropped) is sent
 * again safely.
 */
import { z } from 'zod';
import {
  LIMITS,
  NoteCreate,
  NoteDelete,
  NoteUpdate,
  type AckError,
  type ErrorCode,
  type Result,
} from '../../protocol/index.js';
import type { StorageAreaLike } from '../chrome-api.js';

export const OUTBOX_KEY = 'outbox';

/**
 * What a replay needs besides the payload: the invite key of a private room, because the
 * op may be sent by a later worker, after its tab left the room or closed, when nothing else
 * knows the key (notes-sync.ts subscribes with it). Kept in storage.local with the op, and
 * gone with it once the server answered.
 */
const Replay = { opId: z.string(), key: z.string().max(LIMITS.key).optional() };

export const OutboxOp = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('create'), ...Replay, payload: NoteCreate }),
  z.object({ kind: z.literal('update'), ...Replay, payload: NoteUpdate }),
  z.object({ kind: z.literal('delete'), ...Replay, payload: NoteDelete }),
]);
export type OutboxOp = z.infer<typeof OutboxOp>;

/** Refusals that may go away by themselves: the op stays and is sent again later. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['unavailable', 'rate_limited', 'internal']);

export const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

export interface OutboxHooks {
  /**
   * Sends one op and resolves with its ack; null when there is no connection to send it
   * on (the op waits for the next flush).
   */
  send(op: OutboxOp): Promise<Result<unknown> | null>;
  /** The server acknowledged the op. */
  delivered(op: OutboxOp, value: unknown): void;
  /** The server refused the op for good (it has left the outbox). */
  refused(op: OutboxOp, error: AckError): void;
  /** The ops of `room` in the outbox changed. */
  changed(room: string): void;
}

export class Outbox {
  private ops: OutboxOp[] = [];
  private readonly ready: Promise<void>;
  private write: Promise<void> = Promise.resolve();
  private flushing: Promise<void> | null = null;
  private again = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly storage: StorageAreaLike,
    private readonly hooks: OutboxHooks,
  ) {
    this.ready = this.load();
  }

  /** Resolves once the ops a previous worker left are loaded. */
  loaded(): Promise<void> {
    return this.ready;
  }

  get size(): number {
    return this.ops.length;
  }

  /** The ops of one room, oldest first. */
  pending(room: string): OutboxOp[] {
    return this.ops.filter((op) => op.payload.room === room);
  }

  /** Stores the op (resolving once it is in storage), then tries to send it. */
  async add(op: OutboxOp): Promise<void> {
    await this.ready;
    this.ops.push(op);
    await this.persist();
    this.hooks.changed(op.payload.room);
    void this.flush();
  }

  /**
   * Sends every op in order until the outbox is empty or a send fails for a transient
   * reason. Concurrent calls share one run (and make it go round once more).
   */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      await this.ready;
      do {
        this.again = false;
        await this.drain();
      } while (this.again);
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const op = this.ops[0];
      if (!op) return;
      const result = await this.hooks.send(op);
      if (result === null) return;
      if (!result.ok && TRANSIENT.has(result.error.code)) {
        this.scheduleRetry();
        return;
      }
      this.retryMs = RETRY_MIN_MS;
      this.ops = this.ops.filter((other) => other.opId !== op.opId);
      await this.persist();
      if (result.ok) this.hooks.delivered(op, result.value);
      else this.hooks.refused(op, result.error);
      this.hooks.changed(op.payload.room);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private async load(): Promise<void> {
    const stored = (await this.storage.get(OUTBOX_KEY))[OUTBOX_KEY];
    const parsed = z.array(z.unknown()).safeParse(stored);
    if (!parsed.success) return;
    // An op this version cannot read is dropped rather than blocking every later one.
    const ops = parsed.data.flatMap((raw) => {
      const op = OutboxOp.safeParse(raw);
      return op.success ? [op.data] : [];
    });
    this.ops = [...ops, ...this.ops];
  }

  /** Writes are chained, so a slow write never lands after a newer one. */
  private persist(): Promise<void> {
    const snapshot = [...this.ops];
    this.write = this.write.catch(() => undefined).then(() => this.storage.set({ [OUTBOX_KEY]: snapshot }));
    return this.write;
  }
}
