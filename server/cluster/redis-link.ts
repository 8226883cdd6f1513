/**
 * The node's two connections to Redis in several-node mode (REDIS_URL): one that publishes
 * and runs the presence scripts, one that only subscribes (a subscribed connection can run
 * nothing else). node-redis, not ioredis: @socket.io/redis-adapter's sharded adapter was
 * written for it (ioredis support came later and needed fixes for SSUBSCRIBE), it resubscribes
 * every listener, sharded ones included, after a reconnect, and `disableOfflineQueue` makes a
 * command fail at once while Redis is away instead of piling up (stale cursors replayed on
 * return, memory growing for the whole outage) — tests/integration/cluster-redis-outage.test.ts.
 *
 * The publishing client has no offline queue: the stock adapter awaits each publish, and
 * the presence scripts must fail fast so the node falls back to its own sockets. The
 * subscribing client keeps its listeners through an outage, those of rooms opened during it
 * included, and subscribes them all again on reconnect (cluster-redis-outage.test.ts).
 */
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../logger.js';
import { PublishGate } from './publish-gate.js';

/**
 * `connecting` until the first connection, `up` while both clients are ready and Redis answers,
 * `stalled` while they are connected but Redis does not answer (publish-gate.ts), `down` otherwise.
 */
export type RedisState = 'connecting' | 'up' | 'stalled' | 'down';

/**
 * A presence script Redis has not answered in this long counts as failed. A Redis that hangs
 * (stopped, swapping) keeps its connection open, so the fast failure of a client without an
 * offline queue never comes, and node-redis's own command timeout ends once a command is
 * written.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;

/** Waits between reconnect attempts: quick at first, never more than a second, never giving up. */
export const reconnectDelay = (retries: number): number => Math.min(50 * 2 ** retries, 1000);

export class RedisLink {
  readonly pub: RedisClientType;
  readonly sub: RedisClientType;
  /** Every publish of the node's adapters passes it: what waits for a hung Redis is bounded. */
  readonly publishes = new PublishGate(() => this.update());
  private current: RedisState = 'connecting';
  /** Times the link came back after being down. */
  reconnects = 0;
  private readonly listeners = new Set<(state: RedisState) => void>();
  private readonly connecting: Promise<void>;
  private closed = false;

  constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    const socket = { reconnectStrategy: reconnectDelay, connectTimeout: 2000 };
    this.pub = createClient({ url, socket, disableOfflineQueue: true });
    this.sub = createClient({ url, socket });
    for (const client of [this.pub, this.sub]) {
      // Without a listener an 'error' event would kill the process; the state says enough.
      client.on('error', (error: unknown) => this.logger.debug({ err: error }, 'redis error'));
      client.on('ready', () => this.update());
      client.on('end', () => this.update());
      client.on('reconnecting', () => this.update());
      client.on('error', () => this.update());
    }
    this.connecting = Promise.all([this.pub.connect(), this.sub.connect()]).then(() => undefined);
    // A Redis that never answers is an outage like any other, reported by state().
    this.connecting.catch((error: unknown) => this.logger.warn({ err: error }, 'redis connect failed'));
  }

  state(): RedisState {
    return this.current;
  }

  /** Resolves once both clients connected, or after `timeoutMs` (the node starts degraded). */
  ready(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return Promise.race([
      this.connecting.then(
        () => true,
        () => false,
      ),
      late,
    ]).finally(() => clearTimeout(timer));
  }

  /** Called with the new state whenever it changes. */
  onChange(listener: (state: RedisState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.publishes.close();
    // A client that is not connected would wait for Redis to drop its queue: destroyed instead.
    await Promise.allSettled(
      [this.pub, this.sub].map((client) => (client.isReady ? client.close() : client.destroy())),
    );
  }

  private update(): void {
    if (this.closed) return;
    const ready = this.pub.isReady && this.sub.isReady;
    const next: RedisState = !ready
      ? this.current === 'connecting'
        ? 'connecting'
        : 'down'
      : this.publishes.state() === 'stalled'
        ? 'stalled'
        : 'up';
    if (next === this.current) return;
    if (next === 'up' && this.current === 'down') this.reconnects += 1;
    this.logger.warn({ redis: next }, 'redis ' + next);
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }
}
