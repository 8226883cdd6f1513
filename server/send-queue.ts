/**
 * A bound on what the server holds for one connection that does not read. A
 * client that never reads its socket (but answers heartbeats, so Engine.IO never drops
 * it) made every reliable packet for it queue without bound: 40 of them in a busy room
 * grew the process by 1 GB in two minutes. Volatile cursor batches are already dropped
 * while the transport is busy; everything else (acks, presence, notes, path tables)
 * piles up in two places, both counted here:
 *
 * - Engine.IO's `writeBuffer`: packets made while the transport is not writable (a
 *   WebSocket write not yet handed to the kernel, or a long-polling client with no GET
 *   open). Counted as the packets are made, reset when Engine.IO flushes the buffer.
 * - For WebSocket, the socket's own buffer (`ws` `bufferedAmount`): the flushed batch
 *   the kernel has not taken yet.
 *
 * When the two together pass the per-connection bound, or the connections of one address
 * together pass the per-address bound, the connection is closed at once (its TCP socket
 * destroyed, not closed politely behind the data it will never read) and counted. Each
 * connection carries one number, and the bound rides on the `packetCreate` listener
 * Metrics already has (idle memory per connection).
 */
import type { Server } from 'socket.io';
import { addressKey } from './limits.js';

/** The part of an Engine.IO connection (engine.io's Socket) looked at here. */
interface QueuedConnection {
  /** Bytes (characters of string packets) in `writeBuffer`; set on connection. */
  queuedBytes: number;
  transport: { writable: boolean; socket?: { bufferedAmount?: number; terminate?: () => void } };
  readyState: string;
  remoteAddress?: string;
  /** Set once the bound decided to close it (on the next tick). */
  doomed?: boolean;
  close(discard?: boolean): void;
}

/** The two bounds: per connection, and for all connections of one address together. */
export interface QueueBounds {
  perConnection: number;
  perAddress: number;
}

export interface SendQueueBound {
  /** Bytes queued for every open connection together, for the `/metrics` gauge. */
  queuedBytes(): number;
  /**
   * To be called for every packet Engine.IO makes (its `packetCreate` event), with the
   * connection as `this`; app.ts hands it to the one listener Metrics already has.
   */
  packetCreated(this: object, packet: { data?: unknown }): void;
}

/** What a packet's payload costs while queued: characters of a string, bytes of a buffer. */
function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 1;
}

/** The bytes a connection's WebSocket holds that the kernel has not taken yet; 0 for polling. */
function socketBuffered(conn: QueuedConnection): number {
  return conn.transport.socket?.bufferedAmount ?? 0;
}

/**
 * What waits unsent for an Engine.IO connection now (its buffer and its WebSocket's), as
 * counted by {@link boundSendQueues}: handlers use it to put off answers for a client that
 * does not read. 0 for a connection the bound never saw.
 */
export function queuedFor(conn: object): number {
  const queued = conn as QueuedConnection;
  return (queued.queuedBytes ?? 0) + socketBuffered(queued);
}

/**
 * Installs the bounds on every connection of `io`. `onSlow` is called once per connection
 * closed for them (the `/metrics` counter).
 *
 * The per-address bound is checked each time a connection's queue grows past another
 * step (a quarter of the per-connection bound, at most 256 KiB), by summing the queues of
 * the address's connections: nothing is kept per address, and a client that reads costs
 * nothing; so is each packet of a step or more, even one sent at once. The connection
 * whose growth crossed the bound is the one closed. Between two checks each connection
 * may grow by less than a step, so the address holds at most `perAddress` plus a step per
 * connection.
 */
export function boundSendQueues(io: Server, bounds: QueueBounds, onSlow: () => void): SendQueueBound {
  const step = Math.min(256 * 1024, Math.floor(bounds.perConnection / 4));
  const clients = () => (io.engine as unknown as { clients: Record<string, QueuedConnection> }).clients;
  const addressQueued = (address: string): number => {
    let total = 0;
    const all = clients();
    for (const sid in all) {
      const conn = all[sid]!;
      // A connection being closed (for this bound, say) holds nothing for long: not counted.
      if (conn.readyState === 'open' && !conn.doomed && addressKey(conn.remoteAddress) === address) {
        total += conn.queuedBytes + socketBuffered(conn);
      }
    }
    return total;
  };
  function packetCreated(this: QueuedConnection, packet: { data?: unknown }): void {
    if (this.readyState !== 'open' || this.doomed) return;
    const size = sizeOf(packet.data);
    if (this.transport.writable) {
      // Flushed right away: never queued, though it sits in the socket's buffer until the
      // kernel takes it. A client that reads must get even a big packet (a long list of
      // notes); only the address's bound looks at one, with the queues of its siblings.
      if (size >= step && addressQueued(addressKey(this.remoteAddress)) + size > bounds.perAddress) {
        doom(this);
      }
      return;
    }
    const before = this.queuedBytes;
    this.queuedBytes += size;
    if (this.queuedBytes + socketBuffered(this) > bounds.perConnection) {
      doom(this);
    } else if (
      Math.floor(this.queuedBytes / step) !== Math.floor(before / step) &&
      addressQueued(addressKey(this.remoteAddress)) > bounds.perAddress
    ) {
      doom(this);
    }
  }
  /**
   * Closes `conn` on the next tick, not inside the emit that made the packet (a disconnect
   * in the middle of a broadcast or a cursor flush would change rooms they are iterating).
   * Its queue stops counting for its address at once, so the rest of the same broadcast
   * does not close a sibling for bytes that are about to go.
   */
  const doom = (conn: QueuedConnection): void => {
    if (conn.doomed) return;
    conn.doomed = true;
    process.nextTick(closeSlow, conn);
  };
  const closeSlow = (conn: QueuedConnection): void => {
    // Scheduled more than once, or closed meanwhile: counted once.
    if (conn.readyState !== 'open') return;
    onSlow();
    // Destroys the TCP socket now: a polite close would queue behind what it never reads,
    // and ws would hold it all for its 30 s closing timeout.
    conn.transport.socket?.terminate?.();
    // Discards the buffer and closes the session (for polling: no further GET is answered).
    conn.close(true);
  };
  io.engine.on('connection', (conn: QueuedConnection) => {
    conn.queuedBytes = 0;
  });
  // Engine.IO repeats every connection's flush on the server: one listener for all of them.
  io.engine.on('flush', (conn: QueuedConnection) => {
    conn.queuedBytes = 0;
  });
  return {
    packetCreated: packetCreated as SendQueueBound['packetCreated'],
    queuedBytes() {
      const all = clients();
      let total = 0;
      for (const sid in all) {
        const conn = all[sid]!;
        total += conn.queuedBytes + socketBuffered(conn);
      }
      return total;
    },
  };
}
