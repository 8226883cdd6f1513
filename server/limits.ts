/**
 * Abuse limits that sit in front of the handlers (issue 5): which origins may open a
 * connection, how many connections one address may hold, and per-socket token buckets
 * that answer `rate_limited` before a handler does any work. docs/SECURITY.md lists
 * every value here and the test that proves it.
 */
import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import type { Limits } from './config.js';

/** Browser extensions; the default when ALLOWED_ORIGINS is unset. */
const EXTENSION_ORIGIN = /^(chrome-extension|moz-extension):\/\/[^/]+$/;

/** The hosted @socket.io/admin-ui page, allowed only while the admin namespace is on. */
export const ADMIN_UI_ORIGIN = 'https://admin.socket.io';

/**
 * Whether a request with this Origin header may connect. No header means no browser (a
 * Node client, a test): an Origin check protects browsers' users from hostile pages, and a
 * non-browser could send any header it likes anyway.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.length === 0) return EXTENSION_ORIGIN.test(origin);
  return allowed.includes('*') || allowed.includes(origin);
}

/** Refill rate (tokens per second) and capacity of one bucket. */
export interface BucketSpec {
  rate: number;
  burst: number;
}

/**
 * Which bucket each client event draws from. Cursor moves arrive at up to 30 Hz per room;
 * a service worker that restarts re-joins and re-subscribes every tab's room in one burst.
 */
export const EVENT_BUCKETS = {
  'cursor:move': 'moves',
  'cursor:hide': 'moves',
  'presence:update': 'moves',
  'note:create': 'notes',
  'note:update': 'notes',
  'note:delete': 'notes',
  'notes:export': 'notes',
  'notes:import': 'notes',
  'room:join': 'joins',
  'room:create': 'joins',
  'room:leave': 'joins',
  'room:list': 'joins',
  'notes:subscribe': 'joins',
  'notes:page': 'joins',
  'notes:unsubscribe': 'joins',
} as const satisfies Record<string, string>;

export type BucketName = (typeof EVENT_BUCKETS)[keyof typeof EVENT_BUCKETS];

/** Bucket sizes at RATE_LIMIT_SCALE=1. */
export const BUCKETS: Record<BucketName, BucketSpec> = {
  moves: { rate: 120, burst: 240 },
  notes: { rate: 10, burst: 30 },
  joins: { rate: 10, burst: 100 },
};

/** Where each bucket's level and last refill time sit in {@link SocketBuckets}. */
const BUCKET_SLOT: Record<BucketName, number> = { moves: 0, notes: 2, joins: 4 };

/**
 * The token buckets of one socket, made lazily so an idle socket costs nothing. Every open
 * socket holds one, so the three buckets are six numbers in one array rather than objects
 * (idle memory per connection, issue 6). Time comes in as an argument so it is testable
 * without waiting.
 */
export class SocketBuckets {
  /** Per bucket: tokens left, then the time of the last take (ms); NaN until first used. */
  private state: number[] | null = null;

  constructor(private readonly scale: number) {}

  /** Takes one token from the named bucket; false when it is empty. */
  take(name: BucketName, now = performance.now()): boolean {
    const rate = BUCKETS[name].rate * this.scale;
    const burst = BUCKETS[name].burst * this.scale;
    const state = (this.state ??= [NaN, NaN, NaN, NaN, NaN, NaN]);
    const slot = BUCKET_SLOT[name];
    const last = state[slot + 1]!;
    // A classic token bucket, which starts full.
    const tokens = Number.isNaN(last) ? burst : Math.min(burst, state[slot]! + ((now - last) / 1000) * rate);
    state[slot + 1] = now;
    if (tokens < 1) {
      state[slot] = tokens;
      return false;
    }
    state[slot] = tokens - 1;
    return true;
  }

  /** Milliseconds until the named bucket holds `tokens` tokens (its size at most); takes nothing. */
  msUntil(name: BucketName, tokens: number, now = performance.now()): number {
    const rate = BUCKETS[name].rate * this.scale;
    const burst = BUCKETS[name].burst * this.scale;
    const slot = BUCKET_SLOT[name];
    const last = this.state?.[slot + 1] ?? NaN;
    const have = Number.isNaN(last)
      ? burst
      : Math.min(burst, this.state![slot]! + ((now - last) / 1000) * rate);
    const want = Math.min(tokens, burst);
    return have >= want ? 0 : Math.ceil(((want - have) / rate) * 1000);
  }
}

/**
 * Counts open Engine.IO connections per remote address and refuses a new one over the
 * cap. Behind a reverse proxy every client has the proxy's address: raise the cap there.
 */
export class ConnectionCap {
  private readonly open = new Map<string, number>();

  constructor(private readonly limits: Pick<Limits, 'connectionsPerIp'>) {}

  /** Whether `req` (a new handshake) may open one more connection. */
  admits(req: IncomingMessage): boolean {
    return (this.open.get(addressOf(req)) ?? 0) < this.limits.connectionsPerIp;
  }

  /**
   * Counts every accepted connection until it closes. One close listener serves every
   * connection (closures per connection cost idle memory, issue 6): Engine.IO calls it
   * with the connection as `this`, once, and the connection keeps its address.
   */
  track(io: Server): void {
    const open = this.open;
    const closed = function (this: EngineConnection): void {
      const address = this.remoteAddress ?? 'unknown';
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    };
    io.engine.on('connection', (conn: EngineConnection) => {
      const address = conn.remoteAddress ?? 'unknown';
      open.set(address, (open.get(address) ?? 0) + 1);
      conn.on('close', closed);
    });
  }

  /** Open connections of an address, for tests and metrics. */
  count(address: string): number {
    return this.open.get(address) ?? 0;
  }
}

/** The part of an Engine.IO connection the cap looks at; the address is the TCP peer's, as in addressOf. */
interface EngineConnection {
  remoteAddress?: string;
  on(event: 'close', fn: (this: EngineConnection) => void): void;
}

function addressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
