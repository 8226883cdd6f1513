/**
 * Prometheus metrics via prom-client, served on `GET /metrics`: connections,
 * rooms, events in and out per type, volatile packets dropped for slow clients, rejected
 * requests by error code, and ack latency. A registry per app, so tests that start
 * several servers in one process do not share counters.
 */
import type { Server } from 'socket.io';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { parseRoomId, type ErrorCode } from '../protocol/index.js';
import { keepsVolatile } from './polling-bounds.js';

/** Server-to-client events worth a label; anything else (admin-ui's) counts as `other`. */
const OUT_EVENTS = new Set([
  'presence:joined',
  'presence:left',
  'presence:updated',
  'cursor:batch',
  'note:created',
  'note:updated',
  'note:deleted',
]);

/** `2` EVENT or `3` ACK, optional binary count, optional `/nsp,`, optional ack id, then `["event"`. */
const PACKET_HEAD = /^([23])(?:\d+-)?(?:(\/[^,]*),)?\d*(?:\["([^"\\]{1,40})")?/;

/** The part of socket.io's internal Client that the volatile drop counter looks at. */
interface EngineClient {
  conn: { transport: { writable: boolean; name: string }; writeBuffer: unknown[] };
  writeToEngine(packets: unknown, opts: { volatile?: boolean }): void;
}

/** One label pair of `copresence_events_out_total`. */
interface OutCount {
  labels: { namespace: string; event: string };
  count: number;
  /** The part of `count` already added to the prom-client counter. */
  reported: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly eventsIn = new Counter({
    name: 'copresence_events_in_total',
    help: 'Client events received, per namespace and event (unknown names count as "unknown").',
    labelNames: ['namespace', 'event'] as const,
    registers: [this.registry],
  });
  /** Packets written per label pair, counted as plain numbers and added to `eventsOut` when it is read. */
  private readonly outCounts = new Map<string, OutCount>();
  readonly eventsOut = new Counter({
    name: 'copresence_events_out_total',
    help: 'Packets written to clients, per namespace and event ("ack" for acknowledgements).',
    labelNames: ['namespace', 'event'] as const,
    registers: [this.registry],
    collect: () => {
      for (const out of this.outCounts.values()) {
        this.eventsOut.inc(out.labels, out.count - out.reported);
        out.reported = out.count;
      }
    },
  });
  readonly volatileDropped = new Counter({
    name: 'copresence_volatile_dropped_total',
    help: 'Volatile packets (cursor batches) discarded because the client had not taken the previous write.',
    registers: [this.registry],
  });
  readonly slowClientDisconnects = new Counter({
    name: 'copresence_slow_client_disconnects_total',
    help: 'Connections closed because more than MAX_QUEUED_BYTES waited for a client that does not read.',
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'copresence_rejected_total',
    help: 'Requests and messages refused, per error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly ackLatency = new Histogram({
    name: 'copresence_ack_latency_seconds',
    help: 'Time from a request arriving to its ack, per event.',
    labelNames: ['event'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  /**
   * `node` labels every series in several-node mode (the nodes scrape into one Prometheus);
   * one node keeps its series as they were.
   */
  constructor(io: Server, node: string | null = null) {
    if (node !== null) this.registry.setDefaultLabels({ node });
    collectDefaultMetrics({ register: this.registry, prefix: 'copresence_process_' });
    new Gauge({
      name: 'copresence_connections',
      help: 'Open Engine.IO connections.',
      registers: [this.registry],
      collect() {
        this.set(io.engine.clientsCount);
      },
    });
    new Gauge({
      name: 'copresence_rooms',
      help: 'Rooms with at least one socket, per namespace.',
      labelNames: ['namespace'] as const,
      registers: [this.registry],
      collect() {
        for (const name of ['/rooms', '/notes']) {
          // Every socket also sits in a room named after its id; only real room ids count.
          let count = 0;
          for (const room of io.of(name).adapter.rooms.keys()) if (parseRoomId(room)) count++;
          this.set({ namespace: name }, count);
        }
      },
    });
    this.countOutgoing(io);
  }

  /** The store's state as /healthz reports it: 1 for the current one, 0 for the others. */
  gaugeStore(health: () => Promise<{ store: string }>): void {
    new Gauge({
      name: 'copresence_store_state',
      help: 'State of the note store (ok, read-only, unreachable): 1 for the current one.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const now = await health().then(
          (health) => health.store,
          () => 'unreachable',
        );
        for (const state of ['ok', 'read-only', 'unreachable']) this.set({ state }, state === now ? 1 : 0);
      },
    });
  }

  /** Several-node mode: the Redis link's state and how often it came back. */
  gaugeRedis(link: {
    state(): string;
    reconnects: number;
    publishes: { pending(): { count: number; bytes: number }; dropped: number };
  }): void {
    new Gauge({
      name: 'copresence_redis_connected',
      help: 'Both connections to Redis ready (1) or not (0).',
      registers: [this.registry],
      collect() {
        this.set(link.state() === 'up' || link.state() === 'stalled' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'copresence_redis_reconnects',
      help: 'Times the Redis link came back after being down, since the process started.',
      registers: [this.registry],
      collect() {
        this.set(link.reconnects);
      },
    });
    new Gauge({
      name: 'copresence_redis_pending_publishes',
      help: 'Publishes waiting for Redis to answer (bounded: server/cluster/publish-gate.ts).',
      registers: [this.registry],
      collect() {
        this.set(link.publishes.pending().count);
      },
    });
    let dropped = 0;
    new Counter({
      name: 'copresence_redis_publishes_dropped_total',
      help: 'Cursor publishes dropped because Redis did not answer (stalled link).',
      registers: [this.registry],
      collect() {
        this.inc(link.publishes.dropped - dropped);
        dropped = link.publishes.dropped;
      },
    });
  }

  /** Reports the bytes queued for all connections (server/send-queue.ts) as a gauge. */
  gaugeQueuedBytes(queuedBytes: () => number): void {
    new Gauge({
      name: 'copresence_queued_bytes',
      help: 'Bytes waiting to be written to clients, all connections together.',
      registers: [this.registry],
      collect() {
        this.set(queuedBytes());
      },
    });
  }

  /**
   * Called for every packet Engine.IO makes, with its connection as `this`, from the one
   * `packetCreate` listener this class puts on each connection: the send-queue bound
   * (server/send-queue.ts) rides on it instead of a second listener per connection
   * (~70 bytes each, idle memory per connection).
   */
  packetCreated: ((this: object, packet: { data?: unknown }) => void) | null = null;

  reject(code: ErrorCode): void {
    this.rejected.inc({ code });
  }

  /** Text exposition format for `GET /metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * Outgoing packets are counted where Engine.IO creates them, so broadcasts count once
   * per receiver and volatile packets that were dropped do not count at all. This runs
   * for every packet to every socket, and every connection shares one listener (closures
   * per connection cost idle memory): a broadcast hands the same encoded string
   * to each receiver, so only the first one parses it, and counting adds 1 to a number.
   */
  private countOutgoing(io: Server): void {
    let lastData = '';
    let lastOut: OutCount | null = null;
    const outCountOf = (data: string) => this.outCountOf(data);
    const observer = () => this.packetCreated;
    // A function, not an arrow: Engine.IO calls it with the connection as `this`, which
    // the send-queue bound needs.
    const onPacket = function (this: object, packet: { type: string; data?: unknown }) {
      observer()?.call(this, packet);
      if (packet.type !== 'message' || typeof packet.data !== 'string') return;
      if (packet.data !== lastData) {
        lastData = packet.data;
        lastOut = outCountOf(packet.data);
      }
      if (lastOut) lastOut.count += 1;
    };
    io.engine.on('connection', (conn: { on(event: 'packetCreate', fn: typeof onPacket): void }) => {
      conn.on('packetCreate', onPacket);
    });
    // Socket.IO drops a volatile packet silently when the transport is busy (Client#writeToEngine);
    // the same check, made first, counts it. One function for every client, set once per client.
    const volatileDropped = this.volatileDropped;
    // Socket.IO does not export Client: its method is taken from the first client's prototype.
    let write: EngineClient['writeToEngine'] | null = null;
    // A method rather than a function declaration: tsx renames declared functions, and a
    // bind() of a renamed function (a wrapper such as the benchmark's) copies its properties.
    const counting = {
      writeToEngine(this: EngineClient, packets: unknown, opts: { volatile?: boolean }): void {
        if (opts.volatile && !this.conn.transport.writable) {
          // Long-polling keeps what it can until its next GET (polling-bounds.ts); the
          // options object is shared by every receiver of a broadcast, so it is not changed.
          if (keepsVolatile(this.conn)) return write!.call(this, packets, {});
          volatileDropped.inc();
        }
        write!.call(this, packets, opts);
      },
    };
    io.of('/rooms').on('connection', (socket) => {
      const client = socket.client as unknown as EngineClient;
      if (Object.hasOwn(client, 'writeToEngine')) return;
      write ??= (Object.getPrototypeOf(client) as EngineClient).writeToEngine;
      client.writeToEngine = counting.writeToEngine;
    });
  }

  /** The `eventsOut` label pair an encoded packet counts under, or null when it counts nowhere. */
  private outCountOf(data: string): OutCount | null {
    const head = PACKET_HEAD.exec(data);
    if (!head) return null;
    const namespace = head[2] ?? '/';
    const event = head[1] === '3' ? 'ack' : OUT_EVENTS.has(head[3] ?? '') ? head[3]! : 'other';
    const key = namespace + ' ' + event;
    let out = this.outCounts.get(key);
    if (!out) {
      out = { labels: { namespace, event }, count: 0, reported: 0 };
      this.outCounts.set(key, out);
    }
    return out;
  }
}
