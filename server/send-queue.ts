/**
 * A bound on what the server holds for one connection that does not read (issue 10). A
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
 * When the two together pass `maxBytes`, the connection is closed at once (its TCP socket
 * destroyed, not closed politely behind the data it will never read) and counted. Each
 * connection carries one number, and the bound rides on the `packetCreate` listener
 * Metrics already has (idle memory per connection, issue 6).
 */
import type { Server } from 'socket.io';

/** The part of an Engine.IO connection (engine.io's Socket) looked at here. */
interface QueuedConnection {
  /** Bytes (characters of string packets) in `writeBuffer`; set on connection. */
  queuedBytes: number;
  transport: { writable: boolean; socket?: { bufferedAmount?: number; terminate?: () => void } };
  readyState: string;
  close(discard?: boolean): void;
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
 * Installs the bound on every connection of `io`. `onSlow` is called once per connection
 * closed for it (the `/metrics` counter).
 */
export function boundSendQueues(io: Server, maxBytes: number, onSlow: () => void): SendQueueBound {
  function packetCreated(this: QueuedConnection, packet: { data?: unknown }): void {
    // A packet made while the transport is writable is flushed right away: never queued.
    if (this.transport.writable || this.readyState !== 'open') return;
    this.queuedBytes += sizeOf(packet.data);
    // Closed on the next tick, not inside the emit that made the packet: a disconnect
    // in the middle of a broadcast or a cursor flush would change rooms they are iterating.
    if (this.queuedBytes + socketBuffered(this) > maxBytes) process.nextTick(closeSlow, this);
  }
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
      const clients = (io.engine as unknown as { clients: Record<string, QueuedConnection> }).clients;
      let total = 0;
      for (const sid in clients) {
        const conn = clients[sid]!;
        total += (conn.queuedBytes ?? 0) + socketBuffered(conn);
      }
      return total;
    },
  };
}
