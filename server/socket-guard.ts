/**
 * Per-socket middleware in front of every handler of /rooms and /notes. It
 * answers, before any handler runs: unknown event names (`invalid`), requests while the
 * server shuts down (`unavailable`) and requests over the token buckets of the socket's
 * clientId or address (`rate_limited`). It also counts events and acks for /metrics and
 * keeps the number of requests still waiting for their ack, so shutdown can let in-flight
 * writes finish. {@link chargeTokens} lets a handler charge more than the one token the
 * guard took (an import pays per note).
 */
import type { Server, Socket } from 'socket.io';
import { fail, type ErrorCode, type Result } from '../protocol/index.js';
import type { Budgets } from './budgets.js';
import { addressKey, EVENT_BUCKETS, type BucketName } from './limits.js';
import type { Metrics } from './metrics.js';

type Ack = (result: Result<unknown>) => void;

/** Events that never take an ack; one sent with an ack gets `invalid` so no caller waits forever. */
const NO_ACK_EVENTS = new Set(['cursor:move', 'cursor:hide']);

/** Requests between their arrival and their ack; shutdown waits for this to reach zero. */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  start(): void {
    this.count += 1;
  }

  end(): void {
    this.count -= 1;
    if (this.count === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves when nothing is in flight, or after `timeoutMs` at the latest. */
  drained(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export interface GuardOptions {
  metrics: Metrics;
  inFlight: InFlight;
  /** The token buckets of every clientId and address, shared by all sockets of the server. */
  budgets: Budgets;
  /** True once shutdown began: new requests are refused, in-flight ones finish. */
  draining: () => boolean;
}

/** The budgets of each server, for {@link chargeTokens}. */
const budgetsOf = new WeakMap<Server, Budgets>();

/**
 * Installs the guard on one socket. Every open socket holds the closure made here, so it
 * keeps only the socket and the shared options; the work is in {@link check}, and the
 * buckets live per clientId and address, not per socket (idle memory).
 */
export function guardSocket(socket: Socket, options: GuardOptions): void {
  budgetsOf.set(socket.nsp.server, options.budgets);
  socket.use((packet, next) => check(socket, options, packet, next));
}

/** The per-address key of a socket's connection (limits.ts addressKey). */
export function socketAddress(socket: Pick<Socket, 'conn'>): string {
  return addressKey(socket.conn.remoteAddress);
}

/**
 * Charges `n` more tokens of `bucket` to the socket's clientId and address, on top of the
 * one token the guard took for the event (e.g. `notes:import` pays one `notes` token per
 * imported note). True when paid; false, charging nothing, when either bucket cannot pay:
 * the handler should then answer `rate_limited` without doing the work. A charge bigger
 * than a whole bucket (burst) passes only when the bucket is full, and leaves it in debt
 * until it has refilled, so the long-run rate holds. Sockets outside a guarded namespace
 * (none in this server) are never charged: true.
 */
export function chargeTokens(socket: Socket, bucket: BucketName, n: number): boolean {
  const budgets = budgetsOf.get(socket.nsp.server);
  if (!budgets || n <= 0) return true;
  const { clientId } = socket.data as { clientId: string };
  return budgets.take(clientId, socketAddress(socket), bucket, n);
}

/**
 * Milliseconds until {@link chargeTokens} could charge `n` tokens of `bucket` to the
 * socket's clientId and address (at most a whole bucket); 0 when it could now. For a
 * `retryAfterMs` in an answer; takes nothing.
 */
export function msUntilTokens(socket: Socket, bucket: BucketName, n: number): number {
  const budgets = budgetsOf.get(socket.nsp.server);
  if (!budgets) return 0;
  const { clientId } = socket.data as { clientId: string };
  return budgets.msUntil(clientId, socketAddress(socket), bucket, n);
}

/** One packet through the guard: answers it with an error ack, or passes it on with `next`. */
function check(socket: Socket, options: GuardOptions, packet: unknown[], next: (err?: Error) => void): void {
  const { metrics, inFlight } = options;
  const [event] = packet;
  const last: unknown = packet[packet.length - 1];
  const ack = typeof last === 'function' ? (last as Ack) : undefined;
  // Known to the protocol and handled in this namespace (a /notes event sent to /rooms is not).
  const known =
    typeof event === 'string' && Object.hasOwn(EVENT_BUCKETS, event) && socket.listenerCount(event) > 0;
  metrics.eventsIn.inc({ namespace: socket.nsp.name, event: known ? event : 'unknown' });
  const refuse = (code: ErrorCode, message: string) => {
    metrics.reject(code);
    ack?.(fail(code, message));
  };
  if (!known) return refuse('invalid', 'unknown event');
  if (ack && NO_ACK_EVENTS.has(event)) return refuse('invalid', `${event} takes no ack`);
  if (options.draining()) return refuse('unavailable', 'the server is shutting down');
  const { clientId } = socket.data as { clientId: string };
  if (
    !options.budgets.take(clientId, socketAddress(socket), EVENT_BUCKETS[event as keyof typeof EVENT_BUCKETS])
  ) {
    return refuse('rate_limited', 'too many requests; slow down');
  }
  if (ack) {
    const started = performance.now();
    inFlight.start();
    let answered = false;
    packet[packet.length - 1] = (result: Result<unknown>) => {
      if (answered) return;
      answered = true;
      inFlight.end();
      metrics.ackLatency.observe({ event }, (performance.now() - started) / 1000);
      if (!result.ok) metrics.reject(result.error.code);
      ack(result);
    };
    next();
    // Socket.IO hands the packet to its handler on the next tick, and drops it if the socket
    // disconnected meanwhile; the ack is then never called and would hold shutdown's drain.
    process.nextTick(() => {
      if (!socket.connected && !answered) {
        answered = true;
        inFlight.end();
      }
    });
    return;
  }
  next();
}
