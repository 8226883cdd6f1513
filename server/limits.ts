/**
 * Abuse limits that sit in front of the handlers: which origins may open
 * a connection, how many connections one address may hold, how addresses are keyed, and
 * the bucket sizes of each event (the buckets themselves: budgets.ts). docs/SECURITY.md
 * lists every value here and the test that proves it.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
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

/**
 * How many people an address's budgets are sized for: MAX_CONNECTIONS_PER_IP / 5, so 10
 * at the default. Several browsers behind one NAT (a household, an office) share an
 * address; an operator behind a reverse proxy raises MAX_CONNECTIONS_PER_IP, and every
 * per-address budget grows with it.
 */
export const CONNECTIONS_PER_PERSON = 5;

export function addressFactor(limits: Pick<Limits, 'connectionsPerIp'>): number {
  return Math.max(1, limits.connectionsPerIp / CONNECTIONS_PER_PERSON);
}

/** An IPv4-mapped IPv6 address as its IPv4 (how Node reports IPv4 on a dual-stack socket). */
const plain = (address: string): string => address.replace(/^::ffff:(?=\d+\.)/i, '');

/**
 * The client's address: the TCP peer's, unless the peer is a trusted proxy. Then the
 * rightmost `X-Forwarded-For` entry that is not itself a trusted proxy: entries left of it
 * were written by the client and prove nothing.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: ReadonlySet<string>,
): string | undefined {
  if (peer === undefined || !trusted.has(plain(peer)) || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plain(hops[i]!.trim());
    if (isIP(hop) === 0) return peer;
    if (!trusted.has(hop)) return hop;
  }
  return peer;
}

/** The part of an Engine.IO connection whose address is rewritten for a trusted proxy. */
interface ProxiedConnection {
  remoteAddress?: string;
  request?: IncomingMessage | null;
}

/**
 * Counts open Engine.IO connections per client address and refuses a new one over the
 * cap. Behind a proxy listed in TRUSTED_PROXIES the client address is the forwarded one,
 * and every connection's `remoteAddress` is set to it, so all per-address limits use it.
 */
export class ConnectionCap {
  private readonly open = new Map<string, number>();
  private readonly trusted: ReadonlySet<string>;

  constructor(private readonly limits: Pick<Limits, 'connectionsPerIp' | 'trustedProxies'>) {
    this.trusted = new Set(limits.trustedProxies.map(plain));
  }

  /** Whether `req` (a new handshake) may open one more connection. */
  admits(req: IncomingMessage): boolean {
    return (this.open.get(this.addressOf(req)) ?? 0) < this.limits.connectionsPerIp;
  }

  private addressOf(req: IncomingMessage): string {
    return addressKey(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.trusted));
  }

  /**
   * Counts every accepted connection until it closes. One close listener serves every
   * connection (closures per connection cost idle memory): Engine.IO calls it
   * with the connection as `this`, once, and the connection keeps its address.
   */
  track(io: Server): void {
    const open = this.open;
    if (this.trusted.size > 0) {
      // First of all listeners: Socket.IO and the budgets read the address after this.
      io.engine.prependListener('connection', (conn: ProxiedConnection) => {
        const headers = conn.request?.headers;
        conn.remoteAddress = clientAddress(conn.remoteAddress, headers?.['x-forwarded-for'], this.trusted);
      });
    }
    const closed = function (this: EngineConnection): void {
      const address = addressKey(this.remoteAddress);
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    };
    io.engine.on('connection', (conn: EngineConnection) => {
      const address = addressKey(conn.remoteAddress);
      open.set(address, (open.get(address) ?? 0) + 1);
      conn.on('close', closed);
    });
  }

  /** Open connections of an address, for tests and metrics. */
  count(address: string): number {
    return this.open.get(address) ?? 0;
  }
}

/** The part of an Engine.IO connection the cap looks at: its client address, as `admits` saw it. */
interface EngineConnection {
  remoteAddress?: string;
  on(event: 'close', fn: (this: EngineConnection) => void): void;
}

/**
 * The key of a remote address for per-address limits. IPv4 (also IPv4-mapped IPv6) as
 * is; IPv6 by its /64 prefix, because one host usually holds a whole /64 and could
 * otherwise take a fresh address for every connection.
 */
export function addressKey(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'unknown';
  if (!ip.includes(':')) return ip;
  const bare = ip.split('%')[0]!.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = bare.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'),
          ...tailGroups,
        ];
  return (
    groups
      .slice(0, 4)
      .map((group) => parseInt(group || '0', 16).toString(16))
      .join(':') + '::/64'
  );
}
