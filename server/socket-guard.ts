/**
 * Per-socket middleware in front of every handler of /rooms and /notes (issue 5). It
 * answers, before any handler runs: unknown event names (`invalid`), requests while the
 * server shuts down (`unavailable`) and requests over the socket's token bucket
 * (`rate_limited`). It also counts events and acks for /metrics and keeps the number of
 * requests still waiting for their ack, so shutdown can let in-flight writes finish.
 */
import type { Socket } from 'socket.io';
import { fail, type ErrorCode, type Result } from '../protocol/index.js';
import { attachBudget } from './budget.js';
import { EVENT_BUCKETS, SocketBuckets } from './limits.js';
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
  rateLimitScale: number;
  /** True once shutdown began: new requests are refused, in-flight ones finish. */
  draining: () => boolean;
}

/**
 * Installs the guard on one socket. Every open socket holds the closure made here, so it
 * keeps only the socket, its buckets and the shared options; the work is in {@link check}
 * (idle memory per connection, issue 6).
 */
export function guardSocket(socket: Socket, options: GuardOptions): void {
  const buckets = new SocketBuckets(options.rateLimitScale);
  // Handlers that spend more than the event's one token (notes:import, issue 10) find it there.
  attachBudget(socket, buckets);
  socket.use((packet, next) => check(socket, buckets, options, packet, next));
}

/** One packet through the guard: answers it with an error ack, or passes it on with `next`. */
function check(
  socket: Socket,
  buckets: SocketBuckets,
  options: GuardOptions,
  packet: unknown[],
  next: (err?: Error) => void,
): void {
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
  if (!buckets.take(EVENT_BUCKETS[event as keyof typeof EVENT_BUCKETS])) {
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
  }
  next();
}
